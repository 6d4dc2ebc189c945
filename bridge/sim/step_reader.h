#pragma once
// Reading one step of a scenario file (scenario.cpp reads the rest): each member validated with
// its JSON pointer, defaults filled in, and resource patches resolved against the indkaldelse's
// earlier state in the same file.

#include "bridge/sim/json_fields.h"
#include "bridge/sim/scenario.h"

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace bridge::sim {

// What a step may refer to while one file is read.
struct FileContext {
  const Scenario& scenario;  // its organisations are read before any step
  std::string miljoe;        // the file's default Miljoe
  std::set<std::string> step_ids;
  std::map<std::string, Json> last_resource;  // by indkaldelse_key()
};

// The step at `pointer` (e.g. "/steps/3"). The first problem is recorded in `reader`.
Step read_step(const Json& step, const std::string& pointer, FileContext& context,
               FieldReader& reader);

// 1..max letters, digits, '-', '_' or '.': scenario names, organisation keys, step ids.
bool is_name(std::string_view s, std::size_t max);

}  // namespace bridge::sim
