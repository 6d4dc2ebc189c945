#pragma once
// Private to bridge/wsb: reads the typed Header fields out of the header and body JSON. Each
// missing or mistyped field leaves its member empty and adds a Problem; nothing here fails.

#include "bridge/wsb/wsb.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace bridge::wsb {

// `header` is the header object; `body` the body object or null. Problem pointers are relative
// to the header ("/Oprindelse/SystemId"); a body field's pointer starts with "/Body".
Header read_header_fields(const nlohmann::json& header, const nlohmann::json& body,
                          std::vector<Problem>& problems);

// "a string", "an object", "null", …: how a Problem names the JSON type that arrived.
const char* json_type_name(const nlohmann::json& value);

}  // namespace bridge::wsb
