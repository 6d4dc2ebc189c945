#include "bridge/dfdg/response.h"

#include "bridge/dfdg/client.h"

#include <string>

namespace bridge::dfdg {
namespace {

bool only_white_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

const char* json_kind(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "not an object";
  }
}

}  // namespace

const char* to_string(DfdgErrc code) {
  switch (code) {
    case DfdgErrc::transient:
      return "DFDG timed out, could not be reached or answered 5xx, 408 or 429 on every attempt; "
             "try again later";
    case DfdgErrc::permanent:
      return "DFDG refused the request (4xx, 3xx), the answer was too large, or TLS failed; "
             "retrying will not help";
    case DfdgErrc::bad_response:
      return "DFDG answered 2xx with a body that is neither empty nor a JSON object";
    case DfdgErrc::invalid_options:
      return "a DFDG client option is missing or wrong";
  }
  return "unknown DFDG client error";
}

const char* to_string(Visibility visibility) {
  return visibility == Visibility::found ? "found" : "not_visible";
}

StatusClass classify_status(long status) {
  if (status >= 200 && status <= 299) return StatusClass::success;
  // domain.md §4.4: a-kasse filtering answers 403 or 404, and 404 is also "no such indkaldelse".
  if (status == 403 || status == 404) return StatusClass::not_visible;
  // 408 and 429 say "not now" rather than "never"; every 5xx may be a passing outage.
  if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    return StatusClass::retry;
  }
  // Redirects are not followed (the CPR header must not go to another host): permanent too.
  return StatusClass::permanent;
}

BodyReading read_body(std::string_view body) {
  BodyReading reading;
  if (only_white_space(body)) return reading;  // "an empty GET" (domain.md §4.4)
  try {
    reading.json = nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() quotes the text near the error; the body may hold personal data, so only the
    // position goes into the message.
    reading.kind = BodyKind::not_json;
    reading.problem = "not JSON (parse error at byte " + std::to_string(e.byte) + ")";
    reading.json = nullptr;
    return reading;
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double
    reading.kind = BodyKind::not_json;
    reading.problem = "not usable JSON (json exception " + std::to_string(e.id) + ")";
    reading.json = nullptr;
    return reading;
  }
  if (reading.json.is_null()) {
    reading.kind = BodyKind::empty;
  } else if (reading.json.is_object()) {
    reading.kind = BodyKind::object;
  } else {
    reading.kind = BodyKind::not_object;
    reading.problem = std::string("JSON, but ") + json_kind(reading.json) + ", not an object";
    reading.json = nullptr;
  }
  return reading;
}

}  // namespace bridge::dfdg
