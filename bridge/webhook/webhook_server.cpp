#include "bridge/webhook/webhook_server.h"

#include "bridge/core/hash.h"
#include "bridge/queue/consumers.h"
#include "bridge/soap/identity.h"
#include "bridge/webhook/receiver.h"
#include "soapH.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace bridge::webhook {
namespace {

HttpAnswer refuse(int status, const std::string& error, const std::string& reason) {
  return HttpAnswer{status, nlohmann::json{{"error", error}, {"reason", reason}}.dump() + "\n",
                    status == 401};
}

// "/wsb/8/44000" → organisation 8/44000.
std::optional<wsb::Organisation> recipient_of(std::string_view target) {
  const auto q = target.find('?');
  if (q != std::string_view::npos) target = target.substr(0, q);
  constexpr std::string_view prefix = "/wsb/";
  if (target.substr(0, prefix.size()) != prefix) return std::nullopt;
  target.remove_prefix(prefix.size());
  const auto slash = target.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view type = target.substr(0, slash);
  std::string_view code = target.substr(slash + 1);
  if (!code.empty() && code.back() == '/') code.remove_suffix(1);
  if (type.empty() || type.size() > 3 || code.empty() || code.size() > 20) return std::nullopt;
  int t = 0;
  for (char c : type) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    t = t * 10 + (c - '0');
  }
  if (t < 1 || t > 100) return std::nullopt;
  for (char c : code) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return std::nullopt;
  }
  return wsb::Organisation{t, std::string(code)};
}

bool is_json_content_type(const std::string& value) {
  std::string v;
  for (char c : value) v.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const std::string media = v.substr(0, v.find(';'));
  return media == "application/json" ||
         (media.size() > 5 && media.compare(media.size() - 5, 5, "+json") == 0);
}

}  // namespace

HttpAnswer handle_request(const soap::HttpRequest& request, WebhookContext& ctx,
                          const std::string& peer_subject, const std::string& peer_sha256) {
  if (request.method != "POST") {
    ctx.metrics.count_wsb("refused", "405");
    return refuse(405, "method not allowed", "WSB messages are POSTed to /wsb/{type}/{code}");
  }
  if (!ctx.certificate_subjects.empty() || !ctx.certificate_fingerprints.empty()) {
    queue::Consumer allowed;
    allowed.certificate_subjects = ctx.certificate_subjects;
    allowed.certificate_fingerprints = ctx.certificate_fingerprints;
    if (!queue::certificate_matches(allowed, peer_subject, peer_sha256)) {
      ctx.metrics.count_wsb("refused", "403");
      return refuse(403, "forbidden", "the client certificate is not allowed to deliver WSB");
    }
  }
  if (!ctx.bearer_token.empty() &&
      !soap::bearer_token_matches(request.header("Authorization"), ctx.bearer_token)) {
    ctx.metrics.count_wsb("refused", "401");
    return refuse(401, "unauthorized",
                  "a valid 'Authorization: Bearer <token>' header is required");
  }
  const auto recipient = recipient_of(request.target);
  if (!recipient) {
    ctx.metrics.count_wsb("refused", "404");
    return refuse(404, "not found",
                  "post to /wsb/{organisationType}/{organisationCode}, e.g. /wsb/8/44000");
  }
  if (!is_json_content_type(request.header("Content-Type"))) {
    ctx.metrics.count_wsb("refused", "415");
    return refuse(
        415, "unsupported media type",
        "Content-Type must be application/json, not '" + request.header("Content-Type") + "'");
  }
  auto record = make_record(request.body, *recipient, "webhook", ctx.rules, ctx.clock.now());
  if (!record) {
    // Not JSON at all. Logged with size and hash so the bytes can be matched with DFDG's side.
    spdlog::warn("WSB refused for {}/{}: {} ({} bytes, sha256 {})", recipient->type,
                 recipient->code, record.error().message, request.body.size(),
                 sha256_hex(request.body));
    ctx.metrics.count_wsb("malformed", "400");
    return refuse(400, "bad request", record.error().message);
  }
  const std::string status = record.value().status;
  const std::string reason = record.value().reason;
  const std::string key = record.value().besked_identifier;
  auto outcome = ctx.writer.submit(std::move(record.value()));
  if (!outcome) {
    spdlog::error("WSB {} not stored: {}", key, outcome.error().message);
    ctx.metrics.count_wsb("error", "503");
    return refuse(503, "unavailable", "the message could not be stored; retry later");
  }
  const char* what = to_string(outcome.value());
  if (outcome.value() == store::InboxOutcome::stored) {
    ctx.metrics.count_wsb(status, reason);
    spdlog::info("WSB {} for {}/{} stored: {}{}", key, recipient->type, recipient->code, status,
                 reason.empty() ? "" : " (" + reason + ")");
  } else {
    ctx.metrics.count_wsb(what, "");
    spdlog::info("WSB {} for {}/{}: {} of a stored message", key, recipient->type, recipient->code,
                 what);
  }
  nlohmann::json body{{"BeskedIdentifier", key}, {"outcome", what}, {"status", status}};
  if (!reason.empty()) body["reason"] = reason;
  return HttpAnswer{200, body.dump() + "\n", false};
}

void serve_webhook_connection(struct ::soap* soap, soap::ConnectionControl& control) {
  auto& ctx = *static_cast<WebhookContext*>(soap->user);
  soap::BufferedConnection connection(soap);
  std::string subject, sha256;
  if (const auto cert = soap::peer_certificate(soap)) {
    subject = cert->subject;
    sha256 = cert->sha256;
  }
  const int max_requests = std::max(1, soap->max_keep_alive);
  for (int served = 0; served < max_requests; ++served) {
    switch (connection.read_request(ctx.limits, control)) {
      case soap::ReadOutcome::request:
        break;
      case soap::ReadOutcome::rejected: {
        const bool size = connection.rejected_for_size();
        ctx.metrics.count_wsb("refused", size ? "413" : "400");
        soap::write_json_answer(connection,
                                refuse(size ? 413 : 400, size ? "payload too large" : "bad request",
                                       connection.error()),
                                false, ctx.limits.transfer_timeout_ms);
        connection.linger_and_discard();
        return;
      }
      case soap::ReadOutcome::timed_out:
        ctx.metrics.count_connection_error("timeout");
        return;
      case soap::ReadOutcome::closed:
      case soap::ReadOutcome::stopping:
        return;
    }
    const soap::HttpRequest& request = connection.request();
    // The last request this connection may carry is answered with Connection: close, so the
    // client does not send another one into a closing socket.
    const bool keep_alive =
        request.keep_alive() && !control.stopping() && served + 1 < max_requests;
    const HttpAnswer answer = handle_request(request, ctx, subject, sha256);
    if (!soap::write_json_answer(connection, answer, keep_alive, ctx.limits.transfer_timeout_ms))
      return;
    connection.finish_request();
    if (!keep_alive) return;
  }
}

}  // namespace bridge::webhook
