#pragma once
// Private to bridge/dfdg: what one HTTP answer of GetIndkaldelse means (domain.md §4.4: a 403, a
// 404 or an empty GET means "not visible"), kept apart from libcurl so it is tested on its own.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace bridge::dfdg {

enum class StatusClass {
  success,      // 2xx: look at the body
  not_visible,  // 403, 404: a-kasse filtering or no such indkaldelse; not retried
  retry,        // 5xx, 408 Request Timeout, 429 Too Many Requests: worth another attempt
  permanent,    // everything else (1xx, 3xx, other 4xx): another attempt would get the same
};
StatusClass classify_status(long status);

enum class BodyKind {
  object,      // a JSON object: found
  empty,       // no bytes, only white space, or `null`: not visible
  not_json,    // parse error; `problem` says where
  not_object,  // JSON, but an array, string, number or boolean; `problem` says which
};
struct BodyReading {
  BodyKind kind = BodyKind::empty;
  nlohmann::json json;  // the object when kind is object
  std::string problem;  // for not_json and not_object; never quotes the body
};
BodyReading read_body(std::string_view body);

}  // namespace bridge::dfdg
