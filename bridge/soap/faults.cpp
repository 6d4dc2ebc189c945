#include "bridge/soap/faults.h"

#include "bridge/queue/queue.h"
#include "bridge/soap/service_context.h"
#include "bridge/store/store.h"
#include "soapH.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace bridge::soap {

int send_fault(struct ::soap* soap, int code, const std::string& text) {
  soap->header = nullptr;  // a fault carries no SOAP headers (request headers are not echoed)
  const bool server_side = code == kUnavailable;
  // soap_sender_fault/soap_receiver_fault copy the strings into the context.
  if (server_side) {
    soap_receiver_fault(soap, text.c_str(), nullptr);
  } else {
    soap_sender_fault(soap, text.c_str(), nullptr);
  }
  (void)soap_faultdetail(soap);  // allocates soap->fault->detail
  if (soap->fault && soap->fault->detail) {
    auto* d = soap_new__wf__WsrmFault(soap);
    d->Code = code;
    d->Text = text;
    soap->fault->detail->wf__WsrmFault = d;
  }
  return SOAP_FAULT;
}

int fault_code_of(struct ::soap* soap) {
  if (soap->fault && soap->fault->detail && soap->fault->detail->wf__WsrmFault) {
    return soap->fault->detail->wf__WsrmFault->Code;
  }
  return 0;
}

int fault_for(struct ::soap* soap, const Error& error) {
  if (error.domain == ErrorDomain::queue) {
    switch (static_cast<queue::QueueErrc>(error.code)) {
      case queue::QueueErrc::unknown_sequence:
      case queue::QueueErrc::sequence_not_open:
      case queue::QueueErrc::sequence_terminated:
      case queue::QueueErrc::sequence_returned:
        return send_fault(soap, kUnknownSequence, error.message);
      case queue::QueueErrc::unknown_sub_queue:
        return send_fault(soap, kValidationFailed, error.message);
      case queue::QueueErrc::not_receiver:
      case queue::QueueErrc::unknown_consumer:
        return send_fault(soap, kInsufficientPermissions, error.message);
    }
  }
  // Store trouble: the caller should retry later; the details go to our log only.
  spdlog::error("store error answered with fault 2002: {}", error.message);
  return send_fault(soap, kUnavailable, "service temporarily unavailable; retry later");
}

namespace {

void on_engine_fault(struct ::soap* soap, const char** code, const char** string) {
  if (fault_code_of(soap) != 0) return;  // one of ours, already complete
  const int error = soap->error;
  // Let gSOAP fill in its own code and text for this error first.
  auto* hook = soap->fseterror;
  soap->fseterror = nullptr;
  soap_set_fault(soap);
  soap->fseterror = hook;
  std::string text = (string && *string) ? *string : "invalid request";
  if (error == SOAP_NO_METHOD) text = "unknown operation: " + text;
  const char** detail = soap_faultdetail(soap);
  if (detail && *detail && std::strlen(*detail) < 512) text += std::string(" (") + *detail + ")";
  if (detail) *detail = nullptr;
  (void)code;
  send_fault(soap, kValidationFailed, text);
  if (soap->user) context_of(soap).metrics.count_fault("(unparsed request)", kValidationFailed);
}

}  // namespace

void install_engine_fault_hook(struct ::soap* soap) { soap->fseterror = &on_engine_fault; }

}  // namespace bridge::soap
