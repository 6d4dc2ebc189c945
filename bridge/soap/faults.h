#pragma once
// SOAP 1.1 faults with the numeric DFDG-style code of contract.md §5 in <detail><WsrmFault>.

#include "bridge/core/result.h"

#include <string>

struct soap;

namespace bridge::soap {

enum FaultCode : int {
  kInsufficientPermissions = 1013,  // organisation not allowed for this certificate
  kValidationFailed = 1014,         // malformed or schema-invalid request
  kNotAuthorized = 4575,            // caller not known at all
  kUnknownSequence = 2001,          // unknown, foreign or no longer open sequence
  kUnavailable = 2002,              // store down; retry later
};

// Sets the fault on the context and returns SOAP_FAULT for the operation to return.
// Client faults (soap:Client) for the caller's mistakes, server faults (soap:Server) otherwise.
int send_fault(struct ::soap* soap, int code, const std::string& text);

// The fault for an error value from the queue or the store.
int fault_for(struct ::soap* soap, const Error& error);

// The code already set on the context by send_fault, or 0.
int fault_code_of(struct ::soap* soap);

// Makes every fault that gSOAP raises itself (unknown operation, content that breaks the schema)
// carry code 1014 and a readable text, keeping gSOAP's own description. gSOAP sends some of these
// faults from inside soap_begin_serve, so this works through its fseterror hook.
void install_engine_fault_hook(struct ::soap* soap);

}  // namespace bridge::soap
