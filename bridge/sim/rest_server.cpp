#include "bridge/sim/rest_server.h"

#include "soapH.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace bridge::sim {
namespace {

constexpr std::string_view kCprHeader = "x-civilregistrationIdentifier";

RestAnswer refuse(int status, const std::string& error, const std::string& reason) {
  return RestAnswer{status, Json{{"error", error}, {"reason", reason}}.dump(), status == 401};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view s = path.substr(0, slash);
    if (!s.empty()) out.push_back(s);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

RestAnswer handle_rest_request(const soap::HttpRequest& request, RestContext& ctx) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (request.method != "GET") {
    return refuse(405, "method not allowed", "the simulated IndkaldelseService answers GET only");
  }
  if (path == "/healthz") return RestAnswer{200, "\"ok\"", false};
  if (path == "/_sim/status") return RestAnswer{200, ctx.store.status().dump(), false};

  const std::string& prefix = ctx.options.prefix;
  const std::string usage = "GET " + prefix + "/v1/Indkaldelse/{indkaldelseId} or " + prefix +
                            "/v1/Indkaldelse/historik[/{indkaldelseId}]";
  if (path.substr(0, prefix.size()) != prefix) return refuse(404, "not found", usage);
  const auto parts = segments(path.substr(prefix.size()));
  // v1/Indkaldelse/{id} | v1/Indkaldelse/historik[/{id}] | v1/Indkaldelse/{id}/historik
  // ("Indkaldelse" in any case: the design page spells it in lower case).
  if (parts.size() < 3 || parts.size() > 4 || parts[0] != "v1" ||
      !iequals(parts[1], "Indkaldelse")) {
    return refuse(404, "not found", usage);
  }
  enum class What { current, history, citizen } what = What::current;
  std::string id;
  if (parts.size() == 3 && iequals(parts[2], "historik")) {
    what = What::citizen;
  } else if (parts.size() == 3) {
    id = parts[2];
  } else if (iequals(parts[2], "historik")) {
    what = What::history;
    id = parts[3];
  } else if (iequals(parts[3], "historik")) {
    what = What::history;
    id = parts[2];
  } else {
    return refuse(404, "not found", usage);
  }

  if (!ctx.options.bearer_token.empty() &&
      !soap::bearer_token_matches(request.header("Authorization"), ctx.options.bearer_token)) {
    ctx.store.count_refusal(401);
    return refuse(401, "unauthorized",
                  "a valid 'Authorization: Bearer <token>' header is required");
  }
  const std::string cpr = request.header(kCprHeader);
  if (cpr.empty()) {
    ctx.store.count_refusal(400);
    return refuse(400, "bad request",
                  "the x-civilregistrationIdentifier header (the citizen's CPR) is required");
  }
  if (cpr.size() != 10 ||
      !std::all_of(cpr.begin(), cpr.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    ctx.store.count_refusal(400);
    return refuse(400, "bad request", "x-civilregistrationIdentifier must be 10 digits");
  }
  switch (what) {
    case What::current:
      return ctx.store.get(id, cpr);
    case What::history:
      return ctx.store.history(id, cpr);
    case What::citizen:
      return ctx.store.history_of_citizen(cpr);
  }
  return refuse(404, "not found", usage);
}

void serve_rest_connection(struct ::soap* soap, soap::ConnectionControl& control) {
  auto& ctx = *static_cast<RestContext*>(soap->user);
  soap::BufferedConnection connection(soap);
  const int max_requests = std::max(1, soap->max_keep_alive);
  for (int served = 0; served < max_requests; ++served) {
    switch (connection.read_request(ctx.limits, control)) {
      case soap::ReadOutcome::request:
        break;
      case soap::ReadOutcome::rejected: {
        const bool size = connection.rejected_for_size();
        soap::write_json_answer(connection,
                                refuse(size ? 413 : 400, size ? "payload too large" : "bad request",
                                       connection.error()),
                                false, ctx.limits.transfer_timeout_ms);
        connection.linger_and_discard();
        return;
      }
      case soap::ReadOutcome::timed_out:
      case soap::ReadOutcome::closed:
      case soap::ReadOutcome::stopping:
        return;
    }
    const soap::HttpRequest& request = connection.request();
    const bool keep_alive =
        request.keep_alive() && !control.stopping() && served + 1 < max_requests;
    const RestAnswer answer = handle_rest_request(request, ctx);
    spdlog::info("REST {} {} → {}", request.method, request.target, answer.status);
    if (!soap::write_json_answer(connection, answer, keep_alive, ctx.limits.transfer_timeout_ms))
      return;
    connection.finish_request();
    if (!keep_alive) return;
  }
}

}  // namespace bridge::sim
