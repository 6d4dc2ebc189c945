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

// Turns an error raised by gSOAP itself (bad XML, unknown operation, wrong content) into a
// 1014 fault with a readable text, keeping gSOAP's own description.
void convert_engine_error(struct ::soap* soap);

}  // namespace bridge::soap
