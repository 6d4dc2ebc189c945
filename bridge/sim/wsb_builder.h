#pragma once
// Builds the WSB document DFDG pushes for a step: exactly the header fields, order and JSON types
// of the Indkaldelse example (domain.md §3.4, tests/fixtures/wsb/seed_*.json) and the body
// {"Indkaldelsehaendelsestype": n}, in the step's layout.

#include "bridge/sim/scenario.h"

#include <string>

namespace bridge::sim {

// The header object, fields in the seed's order.
Json wsb_header(const Step& step);

// The bytes POSTed to the webhook, ending with a newline:
//   flat         {…header…,"Body":{…}}            (no "Body" member when the step has no body)
//   pair         {…header…}\n\n{…body…}            (the header alone when there is no body)
//   header_body  {"Header":{…},"Body":{…}}         (no "Body" member when there is no body)
//   array        [{…header…},{…body…}]            ({} as body when there is none)
std::string wsb_text(const Step& step);

}  // namespace bridge::sim
