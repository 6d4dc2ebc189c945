#pragma once
// The sending rules ("Forretningsregler for afsendelse", domain.md §6.1) as data: which legacy
// operations a WSB becomes for the consumer DFDG sent it to. The rules, the roles (organisation
// types and user types → role names) and the samtaletype sets live in a TOML file
// (mappings/routing/indkaldelse.toml, described in docs/routing.md); this engine only evaluates
// them. No code value (organisation type, samtaletype, brugertype) is named in C++.
//
// Evaluation: rules are tried in file order and the first one whose conditions all hold decides.
// A missing condition holds for every value. When a rule's other conditions hold but it tests a
// value that is unknown (no samtaletype snapshot, no AendringstypeId), the decision is
// `undecidable`: never a guess. When no rule matches, the decision is `undecidable` as well; the
// pipeline quarantines those, so a case the rules do not state is never delivered silently.

#include "bridge/core/result.h"

#include <optional>
#include <string>
#include <vector>

namespace bridge::routing {

// Codes of ErrorDomain::routing (loading the rule file; routing itself never fails).
enum class RoutingErrc {
  unreadable = 1,  // the file cannot be read
  syntax = 2,      // not valid TOML
  invalid = 3,     // valid TOML, but a key, value or reference is wrong
};

// What the pipeline knows about one WSB when it routes it.
struct RouteInput {
  std::optional<int> registrant_org_type;  // WSB Oprindelse.RegistrerendeMyndighed.OrganisationType
  std::optional<int> brugertype_id;        // WSB Oprindelse.RegistrerendeBruger.BrugertypeId
  // From the REST snapshot (or the last known one); nullopt = unknown.
  std::optional<int> samtaletype;
  int recipient_org_type = 0;       // from the webhook path /wsb/{type}/{code}: who DFDG sent it to
  bool has_haendelsestype = false;  // the WSB body carries Indkaldelsehaendelsestype
  std::optional<int> aendringstype;  // AendringstypeId: 1 Create, 2 Update, 3 Delete
};

struct RouteDecision {
  enum class Kind { deliver, skip, undecidable };
  Kind kind = Kind::undecidable;
  // deliver only: the Get… operations for the recipient, in rule order, `when` already applied.
  std::vector<std::string> operations;
  // The rule that decided, "<file name>#<rule id>" (e.g. "indkaldelse.toml#jobcenter-egne"). For
  // undecidable: the rule that could not be evaluated, or empty when no rule matched.
  std::string rule_id;
  std::string sentence;  // the seed sentence that rule implements (Danish, verbatim); may be empty
  // skip and undecidable: a sentence naming the inputs, e.g. "samtaletype unknown: no snapshot; …".
  std::string reason;
};

const char* to_string(RouteDecision::Kind kind);  // "deliver", "skip", "undecidable"

// ---- The loaded table (read-only; exposed for documentation and checks) ----

// A party: the recipient's role comes from its organisation type; the registrant's from its
// BrugertypeId when a role lists it (a citizen acts as a citizen whichever authority's record it
// is), else from RegistrerendeMyndighed.OrganisationType.
struct Role {
  std::string name;
  std::vector<int> organisation_types;
  std::vector<int> brugertype_ids;
  std::string status;  // "confirmed: …" or "assumed: …"
  int line = 0;
};

struct SamtaletypeSet {
  std::string name;
  std::vector<int> ids;
  std::string status;
  int line = 0;
};

struct Operation {
  std::string name;                       // e.g. "GetIndkaldelseVersion1"; any non-empty string
  bool only_with_haendelsestype = false;  // `when = "haendelsestype"`
};

struct Rule {
  enum class Outcome { deliver, skip };
  std::string id;
  std::string section;   // the heading of the seed bullet, e.g. "Afsendelse til jobcenter"
  std::string sentence;  // verbatim Danish
  std::string status;    // "confirmed: …" or "assumed: …"
  std::string note;
  // Conditions; an empty one holds for every value (unknown included).
  std::vector<std::string> recipient;             // role names
  std::vector<std::string> registrant;            // role names (BrugertypeId first, see Role)
  std::vector<std::string> registrant_authority;  // role names of RegistrerendeMyndighed only
  std::string samtaletype_in;                     // a SamtaletypeSet name
  std::string samtaletype_not_in;                 // a SamtaletypeSet name
  std::vector<int> aendringstype;
  Outcome outcome = Outcome::skip;
  std::vector<Operation> operations;  // deliver only; at least one without `when`
  int line = 0;
};

class RoutingTable {
 public:
  // Reads and validates a rule file. Errors (RoutingErrc) name the file, the line and the key,
  // e.g. "mappings/routing/indkaldelse.toml:73: [[rule]] jobcenter-egne: recipient: unknown role
  // 'jobcentre'".
  static Result<RoutingTable> load(const std::string& path);
  // The same from text; `source_name` stands for the file in messages and rule ids.
  static Result<RoutingTable> parse(const std::string& toml_text, const std::string& source_name);

  RouteDecision route(const RouteInput& in) const;

  // The role of an organisation type ("jobcenter", "akasse", …), or "" when none is configured.
  std::string role_of(int org_type) const;
  // The registrant's role: by BrugertypeId when a role lists it, else role_of(OrganisationType).
  std::string registrant_role_of(std::optional<int> org_type, std::optional<int> brugertype) const;

  const std::string& source_name() const { return source_name_; }
  const std::string& file_name() const { return file_name_; }  // source_name without folders
  const std::vector<Role>& roles() const { return roles_; }
  const std::vector<SamtaletypeSet>& samtaletype_sets() const { return sets_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const SamtaletypeSet* samtaletype_set(const std::string& name) const;

 private:
  RoutingTable() = default;

  std::string source_name_;
  std::string file_name_;
  std::vector<Role> roles_;
  std::vector<SamtaletypeSet> sets_;
  std::vector<Rule> rules_;
};

}  // namespace bridge::routing
