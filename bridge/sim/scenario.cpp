#include "bridge/sim/scenario.h"

#include "bridge/core/uuid.h"
#include "bridge/sim/json_fields.h"
#include "bridge/sim/step_reader.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace bridge::sim {
namespace {

// Name space of the simulator's name-based GUIDs (BeskedIdentifier, KorrelationsIdentifier).
constexpr std::string_view kSimNamespace = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b";

void read_organisations(const Json& doc, FieldReader& r, Scenario& out) {
  const Json* orgs = r.find(doc, "", "organisations", true);
  if (!orgs) return;
  if (!orgs->is_object() || orgs->empty()) {
    r.fail("/organisations", "must be a non-empty object of organisation key → {type, code}");
    return;
  }
  for (const auto& [key, value] : orgs->items()) {
    const std::string p = pointer_to("/organisations", key);
    if (!is_name(key, 40)) {
      r.fail(p, "an organisation key is 1–40 letters, digits, '-', '_' or '.'");
      return;
    }
    if (!r.object(value, p, {"type", "code", "name"})) return;
    Organisation o;
    o.key = key;
    const auto type = r.integer(value, p, "type", true);
    const auto code = r.string(value, p, "code", true);
    o.name = r.string(value, p, "name", false).value_or("");
    if (r.failed()) return;
    if (*type < 1 || *type > 100) {
      r.fail(pointer_to(p, "type"), "an OrganisationType is 1..100, got " + std::to_string(*type));
      return;
    }
    if (!is_name(*code, 20) || code->find('.') != std::string::npos) {
      r.fail(pointer_to(p, "code"),
             "an OrganisationKode is 1–20 letters, digits, '-' or '_' (it goes into the "
             "webhook path), got '" +
                 *code + "'");
      return;
    }
    o.type = static_cast<int>(*type);
    o.code = *code;
    out.organisations.push_back(std::move(o));
  }
}

}  // namespace

std::string indkaldelse_key(std::string_view id) {
  std::string out(id);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string default_korrelations_identifier(std::string_view scenario, std::string_view step_id) {
  return uuid_v5(kSimNamespace,
                 std::string(scenario) + "/" + std::string(step_id) + "/korrelation");
}

const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::flat:
      return "flat";
    case Layout::pair:
      return "pair";
    case Layout::header_body:
      return "header_body";
    case Layout::array:
      return "array";
  }
  return "?";
}

std::string default_besked_identifier(std::string_view scenario, std::string_view step_id) {
  return uuid_v5(kSimNamespace, std::string(scenario) + "/" + std::string(step_id));
}

Result<Scenario> scenario_from_json(const Json& doc, const std::string& file) {
  FieldReader r(file);
  Scenario out;
  out.file = file;
  if (!r.object(doc, "", {"name", "description", "miljoe", "organisations", "steps"})) {
    return r.error();
  }
  out.name = r.string(doc, "", "name", true).value_or("");
  out.description = r.string(doc, "", "description", false).value_or("");
  FileContext ctx{out, r.string(doc, "", "miljoe", false).value_or("T3"), {}, {}};
  if (!r.failed() && !is_name(out.name, 80)) {
    r.fail("/name", "a scenario name is 1–80 letters, digits, '-', '_' or '.'");
  }
  read_organisations(doc, r, out);
  if (r.failed()) return r.error();
  const Json* steps = r.find(doc, "", "steps", true);
  if (steps && (!steps->is_array() || steps->empty())) {
    r.fail("/steps", "must be a non-empty array of steps");
  }
  if (r.failed()) return r.error();
  for (std::size_t i = 0; i < steps->size(); ++i) {
    Step step = read_step((*steps)[i], pointer_to("/steps", i), ctx, r);
    if (r.failed()) return r.error();
    out.steps.push_back(std::move(step));
  }
  return out;
}

Result<Scenario> parse_scenario(std::string_view text, const std::string& file) {
  BRIDGE_TRY(Json doc, parse_json_text(text, file));
  return scenario_from_json(doc, file);
}

Result<Scenario> load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorDomain::config, static_cast<int>(SimErrc::scenario_unreadable),
                      path + ": cannot read the scenario file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

}  // namespace bridge::sim
