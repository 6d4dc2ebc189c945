#pragma once
// Private to bridge/wsb: turns the pushed bytes into one JSON value, or two when the sender put
// header and body one after the other as the seed page shows them. The only place the wsb stage
// calls the throwing nlohmann parser.

#include "bridge/core/result.h"

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

namespace bridge::wsb {

// One JSON text, or exactly two objects/arrays separated by optional whitespace. A UTF-8 byte
// order mark is skipped. Error: WsbErrc::not_json, naming the 0-based byte offset into `bytes`
// (and line and column) of the first byte that is not valid JSON; the message never quotes the
// input, which may hold a CPR number. Input nested deeper than 64 objects/arrays is not_json too:
// nlohmann copies and prints recursively, so such a value would crash whoever handles it next.
Result<std::vector<nlohmann::json>> read_json_texts(std::string_view bytes);

}  // namespace bridge::wsb
