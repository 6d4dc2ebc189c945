#pragma once
// The served contract: wsdl/ read once at start-up, served verbatim over HTTP GET (?wsdl and the
// XSDs at the relative URLs the WSDLs import them from), and the SOAPAction of each operation as
// the WSDL binding declares it.

#include "bridge/core/result.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::soap {

struct ServedFile {
  std::string content_type;
  std::string body;
};

class ContractFiles {
 public:
  // Reads every *.wsdl in dir and every file under dir/xsd. A WSDL that does not parse, or an
  // operation without a soapAction, is an error naming the file.
  static Result<ContractFiles> load(const std::string& dir);

  // The file for a GET path such as "/WsrmService.svc?wsdl", "/11/WsrmMessageService.svc?wsdl",
  // "/xsd/WsrmOasis.xsd", "/11/xsd/WsrmOasis.xsd" or "/wsdl/WsrmService.wsdl".
  const ServedFile* find(std::string_view path) const;

  // The SOAPAction declared for an operation, e.g. "CreateSequence".
  std::optional<std::string> soap_action(const std::string& operation) const;

  const std::map<std::string, std::string>& services() const { return wsdl_by_service_; }

 private:
  std::map<std::string, ServedFile> files_;             // by file name (WSDLs) or xsd/<name>
  std::map<std::string, std::string> wsdl_by_service_;  // service name → WSDL file name
  std::map<std::string, std::string> actions_;          // operation → SOAPAction
};

}  // namespace bridge::soap
