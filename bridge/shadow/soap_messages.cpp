#include "bridge/shadow/soap_messages.h"

#include "bridge/core/xml_text.h"

#include <pugixml.hpp>

#include <charconv>
#include <cstring>

namespace bridge::shadow {
namespace {

constexpr const char* kNsSoap = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr const char* kNsAms = "http://rep.oio.dk/ams.dk/xml/schemas/2005/09/01/";

using bridge::xml_escape;

std::string envelope(const Organisation& org, const std::string& body,
                     std::string_view sequence = {}) {
  std::string header = std::string("<ActiveOrganisationHeader xmlns=\"") + kNsAms +
                       "\"><OrganisationTypeIdentifier>" + std::to_string(org.type) +
                       "</OrganisationTypeIdentifier><OrganisationCode>" + xml_escape(org.code) +
                       "</OrganisationCode></ActiveOrganisationHeader>";
  if (!sequence.empty()) {
    header += std::string("<SequenceRequest xmlns=\"") + kNsOasis + "\"><Identifier>" +
              xml_escape(sequence) + "</Identifier></SequenceRequest>";
  }
  return std::string("<s:Envelope xmlns:s=\"") + kNsSoap + "\"><s:Header>" + header +
         "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
}

std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The namespace URI of an element: pugixml keeps prefixes, so the declarations in scope are
// looked up by hand.
std::string_view namespace_of(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  const std::string attribute =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (const pugi::xml_attribute a = n.attribute(attribute.c_str())) return a.value();
  }
  return {};
}

bool is(const pugi::xml_node& node, const char* ns, std::string_view local) {
  return node.type() == pugi::node_element && local_name(node) == local && namespace_of(node) == ns;
}

pugi::xml_node child(const pugi::xml_node& parent, const char* ns, std::string_view local) {
  for (const pugi::xml_node c : parent.children()) {
    if (is(c, ns, local)) return c;
  }
  return {};
}

// An unqualified child (faultstring, detail) of a SOAP 1.1 Fault.
pugi::xml_node plain_child(const pugi::xml_node& parent, std::string_view local) {
  for (const pugi::xml_node c : parent.children()) {
    // Unqualified by SOAP 1.1; a default namespace in scope is tolerated.
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  }
  return {};
}

pugi::xml_node find_descendant(const pugi::xml_node& parent, const char* ns,
                               std::string_view local) {
  for (const pugi::xml_node c : parent.children()) {
    if (is(c, ns, local)) return c;
    if (const pugi::xml_node found = find_descendant(c, ns, local)) return found;
  }
  return {};
}

std::string trimmed_text(const pugi::xml_node& node) {
  std::string text = node.child_value();
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Fault read_fault(const pugi::xml_node& fault) {
  Fault f;
  f.string = trimmed_text(plain_child(fault, "faultstring"));
  if (const pugi::xml_node detail = plain_child(fault, "detail")) {
    if (const pugi::xml_node code = find_descendant(detail, kNsFault, "Code")) {
      f.code = trimmed_text(code);
    }
  }
  return f;
}

void read_identifier(const pugi::xml_node& element, Reading& r) {
  const pugi::xml_node identifier = child(element, kNsOasis, "Identifier");
  const std::string text = trimmed_text(identifier);
  if (text.empty()) {
    r.problem = std::string(element.name()) + " without an Identifier";
  } else {
    r.identifier = text;
  }
}

void read_inventory(const pugi::xml_node& element, Reading& r) {
  Inventory inventory;
  const pugi::xml_node collection = child(element, kNsOasis, "ServiceInventoryCollection");
  for (const pugi::xml_node item : collection.children()) {
    if (!is(item, kNsOasis, "ServiceItem")) continue;
    const std::string name = trimmed_text(child(item, kNsOasis, "ServiceName"));
    const std::string count_text = trimmed_text(child(item, kNsOasis, "MessageCount"));
    std::int64_t count = 0;
    const char* end = count_text.data() + count_text.size();
    const auto [ptr, ec] = std::from_chars(count_text.data(), end, count);
    if (!is_valid_operation_name(name) || count_text.empty() || ec != std::errc() || ptr != end ||
        count < 0) {
      r.problem = "a ServiceItem with ServiceName '" + name + "' and MessageCount '" + count_text +
                  "' is not usable";
      return;
    }
    inventory.emplace_back(name, count);
    r.service_items.push_back(
        {name, trimmed_text(child(item, kNsOasis, "ServiceEndpoint")), count});
  }
  r.inventory = std::move(inventory);
}

}  // namespace

std::string soap_action(std::string_view call) {
  if (is_sequence_call(call)) return std::string(kNsWsrm3) + "IWsrmService/" + std::string(call);
  return std::string(kNsV11) + "IWsrmMessageService/" + std::string(call);
}

std::string create_sequence_envelope(const Organisation& org,
                                     const std::optional<std::string>& sub_queue) {
  if (!sub_queue) return envelope(org, std::string("<CreateSequence xmlns=\"") + kNsWsrm3 + "\"/>");
  return envelope(org, std::string("<CreateSequence xmlns=\"") + kNsWsrm3 +
                           "\"><SubQueueIdentifier>" + xml_escape(*sub_queue) +
                           "</SubQueueIdentifier></CreateSequence>");
}

std::string end_sequence_envelope(const Organisation& org, std::string_view call,
                                  std::string_view identifier) {
  const std::string op(call);
  return envelope(org, "<" + op + " xmlns=\"" + kNsWsrm3 + "\"><Identifier xmlns=\"" + kNsOasis +
                           "\">" + xml_escape(identifier) + "</Identifier></" + op + ">");
}

std::string get_envelope(const Organisation& org, std::string_view operation,
                         std::string_view identifier) {
  return envelope(org, "<" + std::string(operation) + "Request xmlns=\"" + kNsV11 + "\"/>",
                  identifier);
}

bool is_valid_operation_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && (i == 0 || (!digit && c != '_'))) return false;
  }
  return !is_sequence_call(name);
}

Reading read_response(std::string_view call, std::string_view body) {
  Reading r;
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size());
  if (!parsed) {
    r.problem = std::string("the response is not XML (") + parsed.description() + " at offset " +
                std::to_string(parsed.offset) + ")";
    return r;
  }
  const pugi::xml_node envelope_node = doc.document_element();
  const pugi::xml_node body_node = child(envelope_node, kNsSoap, "Body");
  if (!is(envelope_node, kNsSoap, "Envelope") || !body_node) {
    r.problem = "the response is not a SOAP 1.1 envelope";
    return r;
  }
  pugi::xml_node element;
  for (const pugi::xml_node c : body_node.children()) {
    if (c.type() == pugi::node_element) {
      element = c;
      break;
    }
  }
  if (is(element, kNsSoap, "Fault")) {
    r.fault = read_fault(element);
    return r;
  }
  const std::string expected = std::string(call) + "Response";
  const char* ns = is_sequence_call(call) ? kNsWsrm3 : kNsV11;
  if (!is(element, ns, expected)) {
    r.problem = "expected " + expected + " in the SOAP Body, got " +
                (element ? std::string(element.name()) : std::string("nothing"));
    return r;
  }
  if (is_sequence_call(call)) {
    read_identifier(element, r);
    if (call == kCreateSequence && r.problem.empty()) read_inventory(element, r);
    return r;
  }
  std::int64_t items = 0;
  for (const pugi::xml_node c : element.children()) items += c.type() == pugi::node_element;
  r.items = items;
  return r;
}

}  // namespace bridge::shadow
