#pragma once
// The WSB receiver endpoint: POST /wsb/{organisationType}/{organisationCode} with a JSON body.
// It authenticates, stores the message durably (group commit) and answers 2xx — also for
// messages it quarantines, because DFDG retries every 4xx/5xx for hours and holds back the
// citizen's later messages meanwhile. Only bytes that are not JSON at all get a 400.

#include "bridge/core/clock.h"
#include "bridge/core/metrics.h"
#include "bridge/soap/json_http.h"
#include "bridge/soap/listener.h"
#include "bridge/soap/request_reader.h"
#include "bridge/webhook/inbox_writer.h"
#include "bridge/wsb/wsb.h"

#include <string>
#include <vector>

struct soap;

namespace bridge::webhook {

// Reached through soap->user by every worker; read-only after start.
struct WebhookContext {
  InboxWriter& writer;
  wsb::Rules rules;
  std::string bearer_token;  // empty: none required
  std::vector<std::string> certificate_subjects;
  std::vector<std::string> certificate_fingerprints;
  Metrics& metrics;
  const Clock& clock;
  soap::ReadLimits limits;
};

using HttpAnswer = soap::JsonAnswer;

// Decides the answer to one complete request (no I/O besides the inbox), so it can be tested
// without sockets. `peer_subject`/`peer_sha256` are empty without a client certificate.
HttpAnswer handle_request(const soap::HttpRequest& request, WebhookContext& context,
                          const std::string& peer_subject, const std::string& peer_sha256);

// Listener::ServeFn for the webhook port.
void serve_webhook_connection(struct ::soap* soap, soap::ConnectionControl& control);

}  // namespace bridge::webhook
