#include "bridge/shadow/log_line.h"

#include "bridge/shadow/options.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace bridge::shadow {
namespace {

using Json = nlohmann::ordered_json;

Error bad_line(const std::string& what) {
  return make_error(ErrorDomain::io, static_cast<int>(ShadowErrc::usage), what);
}

}  // namespace

bool is_sequence_call(std::string_view call) {
  return call == kCreateSequence || call == kTerminateSequence || call == kCloseSequence;
}

std::string response_file_name(std::int64_t n, std::string_view call) {
  char number[32];
  std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(n));
  return "responses/" + std::string(number) + "-" + std::string(call) + ".xml";
}

std::string to_json_line(const LogLine& line) {
  Json j;
  j["n"] = line.n;
  j["at"] = line.at;
  j["call"] = line.call;
  j["sequence"] = line.sequence ? Json(*line.sequence) : Json(nullptr);
  j["http_status"] = line.http_status;
  j["file"] = line.file;
  j["bytes"] = line.bytes;
  j["sha256"] = line.sha256;
  if (!is_sequence_call(line.call)) j["items"] = line.items ? Json(*line.items) : Json(nullptr);
  if (line.call == kCreateSequence) {
    if (line.inventory) {
      Json inventory = Json::object();
      for (const auto& [operation, count] : *line.inventory) inventory[operation] = count;
      j["inventory"] = inventory;
    } else {
      j["inventory"] = nullptr;
    }
  }
  if (line.fault) {
    j["fault"] = {{"code", line.fault->code ? Json(*line.fault->code) : Json(nullptr)},
                  {"string", line.fault->string}};
  } else {
    j["fault"] = nullptr;
  }
  // A faultstring is the server's text: invalid UTF-8 is replaced, never a reason to throw.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<LogLine> parse_log_line(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad_line("not a JSON object");
  LogLine line;
  try {
    line.n = j.at("n").get<std::int64_t>();
    line.at = j.at("at").get<std::string>();
    line.call = j.at("call").get<std::string>();
    if (!j.at("sequence").is_null()) line.sequence = j.at("sequence").get<std::string>();
    line.http_status = j.at("http_status").get<long>();
    line.file = j.at("file").get<std::string>();
    line.bytes = j.at("bytes").get<std::int64_t>();
    line.sha256 = j.at("sha256").get<std::string>();
    if (j.contains("items") && !j["items"].is_null()) line.items = j["items"].get<std::int64_t>();
    if (j.contains("inventory") && !j["inventory"].is_null()) {
      Inventory inventory;
      for (const auto& [operation, count] : j["inventory"].items()) {
        inventory.emplace_back(operation, count.get<std::int64_t>());
      }
      line.inventory = std::move(inventory);
    }
    const Json& fault = j.at("fault");
    if (!fault.is_null()) {
      Fault f;
      if (!fault.at("code").is_null()) f.code = fault.at("code").get<std::string>();
      f.string = fault.at("string").get<std::string>();
      line.fault = std::move(f);
    }
  } catch (const Json::exception& e) {  // nlohmann reports a missing or mistyped field by throwing
    return bad_line(std::string("missing or mistyped field: ") + e.what());
  }
  if (line.n < 1) return bad_line("n must be at least 1");
  if (line.call.empty()) return bad_line("call is empty");
  return line;
}

}  // namespace bridge::shadow
