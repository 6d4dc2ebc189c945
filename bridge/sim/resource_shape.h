#pragma once
// The REST resource's JSON shape (contract.md §4.2) as a table, so a scenario file with a typo in
// a field name or a wrong JSON type fails at load with the pointer of the field, instead of
// serving the bridge something DFDG never would.

#include "bridge/sim/json_fields.h"

#include <string_view>

namespace bridge::sim {

// Checks `resource` (at `pointer`) against the working shape: known member names only, each of
// its JSON type or null; indkaldelseId and status are required. Records the first problem in
// `reader`.
void check_resource_shape(const Json& resource, std::string_view pointer, FieldReader& reader);

}  // namespace bridge::sim
