// The six SOAP operations the bridge serves, as gSOAP's generated dispatcher calls them.
// WsrmService v3 (queue control) is typed; the Get… items are stored XML, never built here.

#include "bridge/soap/faults.h"
#include "bridge/soap/identity.h"
#include "bridge/soap/service_context.h"
#include "soapH.h"
#include "wsrm_items.h"

#include <spdlog/spdlog.h>

namespace bridge::soap {

ServiceContext& context_of(struct ::soap* soap) {
  return *static_cast<ServiceContext*>(soap->user);
}

namespace {

// SOAPAction must be the one the WSDL binding declares (quotes around it are allowed).
bool check_action(struct ::soap* soap, const char* operation) {
  ServiceContext& ctx = context_of(soap);
  ctx.metrics.count_request(operation);
  const auto expected = ctx.contract.soap_action(operation);
  std::string got = soap->action ? soap->action : "";
  if (got.size() >= 2 && got.front() == '"' && got.back() == '"')
    got = got.substr(1, got.size() - 2);
  if (expected && got == *expected) return true;
  send_fault(soap, kValidationFailed,
             "SOAPAction '" + got + "' does not match operation " + operation + " (expected '" +
                 expected.value_or("?") + "')");
  return false;
}

// Runs an operation: action check, caller identification, then the body; counts faults.
template <class Body>
int operation(struct ::soap* soap, const char* name, Body&& body) {
  int rc = SOAP_FAULT;
  try {
    if (check_action(soap, name)) {
      if (const queue::Consumer* consumer = identify_caller(soap)) rc = body(*consumer);
    }
  } catch (const std::exception& e) {
    // A bug or resource exhaustion: this request fails, the server goes on.
    spdlog::error("{}: unexpected exception: {}", name, e.what());
    rc = send_fault(soap, kUnavailable, "service temporarily unavailable; retry later");
  }
  if (rc != SOAP_OK) {
    const int code = fault_code_of(soap);
    context_of(soap).metrics.count_fault(name, code);
    const char** text = soap_faultstring(soap);
    spdlog::info("{} answered fault {}: {}", name, code, text && *text ? *text : "");
  }
  return rc;
}

std::string sequence_identifier(struct ::soap* soap) {
  const auto* h = soap->header ? soap->header->wsrm__SequenceRequest : nullptr;
  return h ? h->Identifier : std::string();
}

void set_sequence_response(struct ::soap* soap, const std::string& identifier) {
  // Only SequenceResponse goes back; the request headers are not echoed.
  auto* header = soap_new_SOAP_ENV__Header(soap);
  header->wsrm__SequenceResponse = soap_new__wsrm__SequenceResponse(soap);
  header->wsrm__SequenceResponse->Identifier = identifier;
  soap->header = header;
}

// The three Get… operations differ only in their response type and operation name.
template <class Response>
int get_items(struct ::soap* soap, const char* name, Response& response) {
  return operation(soap, name, [&](const queue::Consumer& consumer) {
    const std::string id = sequence_identifier(soap);
    if (id.empty()) {
      return send_fault(soap, kValidationFailed,
                        "the SOAP header SequenceRequest with the sequence Identifier is required");
    }
    auto items = context_of(soap).queue.items(consumer, id, name);
    if (!items) return fault_for(soap, items.error());
    auto& out = gen::items_of(response);
    out.reserve(items.value().size());
    // The stored bytes go out as they are; soap_strdup ties their lifetime to this request.
    for (const auto& xml : items.value()) out.push_back(soap_strdup(soap, xml.c_str()));
    set_sequence_response(soap, id);
    return SOAP_OK;
  });
}

}  // namespace
}  // namespace bridge::soap

using bridge::soap::context_of;
using bridge::soap::fault_for;
using bridge::soap::operation;

int __wsrm3__CreateSequence(struct soap* soap, _wsrm3__CreateSequence* request,
                            _wsrm3__CreateSequenceResponse& response) {
  return operation(soap, "CreateSequence", [&](const bridge::queue::Consumer& consumer) {
    const std::string sub_queue =
        request && request->SubQueueIdentifier ? *request->SubQueueIdentifier : "";
    auto& ctx = context_of(soap);
    auto view = ctx.queue.create_sequence(consumer, sub_queue);
    if (!view) return fault_for(soap, view.error());
    response.wsrm__Identifier = view.value().identifier;
    response.wsrm__ServiceInventoryCollection = soap_new_wsrm__ServiceInventoryCollectionType(soap);
    for (const auto& line : view.value().inventory) {
      auto* item = soap_new_wsrm__ServiceItemType(soap);
      item->ServiceName = line.operation;
      item->ServiceEndpoint = ctx.service_endpoint;
      item->MessageCount = line.message_count;
      response.wsrm__ServiceInventoryCollection->ServiceItem.push_back(item);
    }
    soap->header = nullptr;
    spdlog::info("CreateSequence {} for consumer {}{}: {} message type(s){}",
                 view.value().identifier, consumer.id,
                 sub_queue.empty() ? "" : " sub-queue " + sub_queue, view.value().inventory.size(),
                 view.value().reused ? " (open sequence reused)" : "");
    return SOAP_OK;
  });
}

int __wsrm3__CloseSequence(struct soap* soap, _wsrm3__CloseSequence* request,
                           _wsrm3__CloseSequenceResponse& response) {
  return operation(soap, "CloseSequence", [&](const bridge::queue::Consumer& consumer) {
    const std::string id = request ? request->wsrm__Identifier : "";
    auto r = context_of(soap).queue.close_sequence(consumer, id);
    if (!r) return fault_for(soap, r.error());
    response.wsrm__Identifier = id;
    soap->header = nullptr;
    spdlog::info("CloseSequence {} for consumer {}", id, consumer.id);
    return SOAP_OK;
  });
}

int __wsrm3__TerminateSequence(struct soap* soap, _wsrm3__TerminateSequence* request,
                               _wsrm3__TerminateSequenceResponse& response) {
  return operation(soap, "TerminateSequence", [&](const bridge::queue::Consumer& consumer) {
    const std::string id = request ? request->wsrm__Identifier : "";
    auto r = context_of(soap).queue.terminate_sequence(consumer, id);
    if (!r) return fault_for(soap, r.error());
    response.wsrm__Identifier = id;
    soap->header = nullptr;
    spdlog::info("TerminateSequence {} for consumer {}", id, consumer.id);
    return SOAP_OK;
  });
}

int __v11__GetIndkaldelseVersion1(struct soap* soap, v11__WsrmRequestType*,
                                  _v11__GetIndkaldelseVersion1Response& response) {
  return bridge::soap::get_items(soap, "GetIndkaldelseVersion1", response);
}

int __v11__GetIndkaldelseshaendelseVersion1(
    struct soap* soap, v11__WsrmRequestType*,
    _v11__GetIndkaldelseshaendelseVersion1Response& response) {
  return bridge::soap::get_items(soap, "GetIndkaldelseshaendelseVersion1", response);
}

int __v11__GetAkasseIndkaldelseVersion1(struct soap* soap, v11__WsrmRequestType*,
                                        _v11__GetAkasseIndkaldelseVersion1Response& response) {
  return bridge::soap::get_items(soap, "GetAkasseIndkaldelseVersion1", response);
}
