#pragma once
// `sim --generate`: a scenario of realistic, made-up traffic, the same for the same options, so a
// volume run can be repeated byte for byte. Citizens get valid-looking CPR numbers (birth date
// + 4 digits); events mix creations, updates and cancellations by jobcentre, a-kasser and the
// citizens themselves over several samtaletyper, with Danish addresses. Recipients and
// expectations follow the sending rules of domain.md §6 as the simulator reads them (written
// here, independently of the bridge's routing tables).

#include "bridge/sim/scenario.h"

#include <cstdint>

namespace bridge::sim {

// OrganisationType the simulator gives a-kasser (8 is the jobcenter). The real id is not
// published (domain.md §5.2); 9 is the working assumption of mappings/routing/indkaldelse.toml.
inline constexpr int kAkasseOrganisationType = 9;

// Indkaldelsehaendelsestype values the simulator uses. DFDG has not published the list
// (domain.md §3.6); these follow the candidates of mappings/codelists/indkaldelsehaendelsestype
// .toml (the bridge passes every value through anyway) and are listed in docs/simulator.md.
namespace haendelse {
inline constexpr int opdateret = 2;  // updated or moved
inline constexpr int indkaldt = 3;   // the seed pairs Create with 3
inline constexpr int aflyst = 4;     // cancelled
inline constexpr int selvbooket = 5;
inline constexpr int deltagelse_bekraeftet = 6;  // the citizen confirmed attendance
inline constexpr int myndighedsdeltagere_aendret = 7;
}  // namespace haendelse

struct GeneratorOptions {
  int citizens = 10;
  int events = 50;
  std::uint64_t seed = 1;
};

// The scenario document (the format of the scenario files; load it with scenario_from_json).
Json generate_scenario(const GeneratorOptions& options);

}  // namespace bridge::sim
