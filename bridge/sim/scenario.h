#pragma once
// A scenario: what DFDG does, step by step, to a few indkaldelser — which WSB it pushes to whom,
// and which REST state the indkaldelse has meanwhile (docs/simulator.md, "Scenario files").
// Loading validates everything and resolves defaults and resource patches, so a loaded Step is
// self-contained: the runner and the WSB builder never look anything up.

#include "bridge/core/result.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::sim {

// Key order is kept, so resources are served (and WSBs built) in the order the file has them.
using Json = nlohmann::ordered_json;

// Error codes of the simulator (ErrorDomain::config for scenario input, io for the network).
enum class SimErrc {
  scenario_unreadable = 1,  // the file cannot be read
  scenario_syntax = 2,      // not JSON; the message names line and column
  scenario_invalid = 3,     // valid JSON, wrong content; the message names the JSON pointer
  listen_failed = 4,        // the REST port could not be opened
  curl_failed = 5,          // libcurl could not be set up
  legacy_templates = 6,     // legacy mode: a template or code table is wrong
  legacy_plan = 7,          // legacy mode: an item cannot be rendered, or an injection not placed
  legacy_service = 8,       // legacy mode: the queue store or the SOAP port cannot be opened
};

// The three legacy operations an organisation's consumer may be expected to receive.
inline constexpr std::string_view kGetIndkaldelse = "GetIndkaldelseVersion1";
inline constexpr std::string_view kGetIndkaldelseshaendelse = "GetIndkaldelseshaendelseVersion1";
inline constexpr std::string_view kGetAkasseIndkaldelse = "GetAkasseIndkaldelseVersion1";

struct Organisation {
  std::string key;  // the scenario's name for it: "jc", "ak"
  int type = 0;     // OrganisationType, 1..100 (8 = jobcenter)
  std::string code;
  std::string name;  // for people; optional

  // "8/44000", as in the webhook path.
  std::string path() const { return std::to_string(type) + "/" + code; }
};

// Oprindelse of the WSB: who registered the change, through which system.
struct Registrant {
  Organisation authority;  // RegistrerendeMyndighed
  Organisation calling;    // RegistrerendeBruger.KaldendeMyndighed (default: the authority)
  int brugertype = 2;
  std::string brugertype_navn;
  std::string brugernavn;
  std::string brugeridentifikation;
  std::string brugeremail;
  int system_id = 1;
  std::string systemnavn;
};

// How header and body travel (contract.md §4.1): one object with a "Body" member, two JSON texts
// one after the other (as the seed prints them), {"Header":…,"Body":…}, or [header, body].
enum class Layout { flat, pair, header_body, array };

const char* to_string(Layout layout);

struct Step {
  // Where it came from, for messages: "create.json", "create", "/steps/0".
  std::string file;
  std::string scenario;
  std::string pointer;
  std::string id;
  std::string description;

  std::string indkaldelse;  // EksternIdentifier and the REST key
  std::string cpr;          // Identifikation, and the citizen the REST resource belongs to
  int aendringstype = 1;
  std::string aendringstype_navn;
  std::optional<Json> body;  // the WSB body object; none: no body
  Registrant registrant;
  std::string haendelsestid;
  std::string besked_identifier;
  std::string korrelations_identifier;
  std::string miljoe;
  Layout layout = Layout::flat;
  std::vector<Organisation> recipients;  // pushed to each, in this order

  // The REST state from this step on: the whole resource, or null (404, e.g. after a Delete).
  Json resource;
  bool resource_given = false;  // the step set `resource` or `resource_patch` (adds a history row)
  bool visible = true;          // false: 404 to everyone while this step is current
  bool await_fetch = true;      // pacing waits for the bridge to fetch this step's state

  // Hand-written expectation: organisation key → legacy operations its consumer must receive for
  // this step. None when the file states none.
  std::optional<std::map<std::string, std::vector<std::string>>> expect;

  // "create/create-1", for log lines.
  std::string label() const { return scenario + "/" + id; }
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<Organisation> organisations;
  std::vector<Step> steps;
};

// Reads and validates a scenario file. Errors name the file and the spot: line and column for
// JSON syntax, the JSON pointer for content ("s.json: /steps/2/recipients/0: unknown …").
Result<Scenario> load_scenario_file(const std::string& path);

// The same for text already in memory; `file` names it in messages.
Result<Scenario> parse_scenario(std::string_view text, const std::string& file);

// The same for a parsed document (the generator builds one).
Result<Scenario> scenario_from_json(const Json& document, const std::string& file);

// An indkaldelseId in lower case: ids are GUIDs and compare without case.
std::string indkaldelse_key(std::string_view id);

// The default KorrelationsIdentifier of a step: the name-based GUID of
// "<scenario>/<step id>/korrelation".
std::string default_korrelations_identifier(std::string_view scenario, std::string_view step_id);

// The default BeskedIdentifier of a step: a name-based GUID of "<scenario>/<step id>", so
// every run of a file pushes the same identifiers.
std::string default_besked_identifier(std::string_view scenario, std::string_view step_id);

}  // namespace bridge::sim
