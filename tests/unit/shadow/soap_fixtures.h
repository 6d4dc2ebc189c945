#pragma once
// SOAP responses as a WsrmService answers them, for the shadow tests.

#include <string>
#include <utility>
#include <vector>

namespace bridge::shadow::test {

inline std::string soap(const std::string& body, const std::string& header = "") {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>" + header +
         "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
}

// (ServiceName, ServiceEndpoint, MessageCount)
struct Item {
  std::string name;
  std::string endpoint;
  int count;
};

inline std::string create_response(const std::string& identifier, const std::vector<Item>& items) {
  std::string inventory;
  for (const Item& i : items) {
    inventory += "<w:ServiceItem><w:ServiceName>" + i.name + "</w:ServiceName><w:ServiceEndpoint>" +
                 i.endpoint + "</w:ServiceEndpoint><w:MessageCount>" + std::to_string(i.count) +
                 "</w:MessageCount></w:ServiceItem>";
  }
  return soap(
      "<c:CreateSequenceResponse xmlns:c=\"http://service.bm.dk/pjaktass/wsrm/3/\" "
      "xmlns:w=\"http://docs.oasis-open.org/ws-rx/wsrm/200602\"><w:Identifier>" +
      identifier + "</w:Identifier><w:ServiceInventoryCollection>" + inventory +
      "</w:ServiceInventoryCollection></c:CreateSequenceResponse>");
}

inline std::string end_response(const std::string& call, const std::string& identifier) {
  return soap("<" + call +
              "Response xmlns=\"http://service.bm.dk/pjaktass/wsrm/3/\"><Identifier "
              "xmlns=\"http://docs.oasis-open.org/ws-rx/wsrm/200602\">" +
              identifier + "</Identifier></" + call + "Response>");
}

inline std::string get_response(const std::string& operation, const std::string& item_element,
                                int count) {
  std::string items;
  for (int i = 1; i <= count; ++i) {
    items += "<v:" + item_element + "><v:WSRMMetadata><v:MessageIdentifier>m" + std::to_string(i) +
             "</v:MessageIdentifier></v:WSRMMetadata></v:" + item_element + ">";
  }
  return soap("<v:" + operation + "Response xmlns:v=\"http://service.bm.dk/pjaktass/wsrm/11/\">" +
              items + "</v:" + operation + "Response>");
}

inline std::string fault_response(const std::string& code, const std::string& text) {
  return soap(
      "<s:Fault><faultcode>s:Client</faultcode><faultstring>" + text +
      "</faultstring><detail><f:WsrmFault xmlns:f=\"http://service.bm.dk/pjaktass/wsrm/fault/\">"
      "<f:Code>" +
      code + "</f:Code><f:Text>" + text + "</f:Text></f:WsrmFault></detail></s:Fault>");
}

}  // namespace bridge::shadow::test
