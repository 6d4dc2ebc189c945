// Reads a routing rule file (TOML) into a RoutingTable and checks it: every key known, every role
// and set a rule names configured, ids unique, every rule with an outcome. The rules decide where
// messages go, so a mistake stops the program at start-up with file:line instead of misrouting.
#include "bridge/routing/routing.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace bridge::routing {
namespace {

Error invalid(const std::string& where, const std::string& what) {
  return make_error(ErrorDomain::routing, static_cast<int>(RoutingErrc::invalid),
                    where + ": " + what);
}

// Reads one TOML table, remembering the keys it was asked for, so that a misspelt key (say
// `samtaletype_not` for `samtaletype_not_in`) is an error instead of a silently missing condition.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string source, std::string name)
      : t_(t), source_(std::move(source)), name_(std::move(name)) {}

  int line(const toml::node* n = nullptr) const {
    return static_cast<int>((n ? n->source() : t_.source()).begin.line);
  }
  std::string where(const toml::node* n = nullptr) const {
    return source_ + ":" + std::to_string(line(n)) + ": " + name_;
  }
  void rename(std::string name) { name_ = std::move(name); }

  const toml::node* node(const char* key) {
    used_.insert(key);
    return t_.get(key);
  }

  // A string; `required` makes absence an error. Empty strings are always errors: an empty
  // sentence, status or name is a mistake, never a value.
  Result<void> string(const char* key, std::string& out, bool required) {
    const toml::node* n = node(key);
    if (!n) {
      if (required) return invalid(where(), std::string(key) + " is required");
      return ok();
    }
    if (!n->is_string()) return invalid(where(n), std::string(key) + " must be a string");
    out = *n->value<std::string>();
    if (out.empty()) return invalid(where(n), std::string(key) + " must not be empty");
    return ok();
  }

  // A status string, which must say whether the entry is confirmed or assumed.
  Result<void> status(std::string& out) {
    BRIDGE_TRY(string("status", out, true));
    if (!out.starts_with("confirmed") && !out.starts_with("assumed")) {
      return invalid(where(node("status")),
                     "status must start with \"confirmed\" or \"assumed\", not '" + out + "'");
    }
    return ok();
  }

  // A string or an array of non-empty strings.
  Result<void> names(const char* key, std::vector<std::string>& out) {
    const toml::node* n = node(key);
    if (!n) return ok();
    if (n->is_string()) {
      out = {*n->value<std::string>()};
    } else if (const toml::array* a = n->as_array(); a && !a->empty()) {
      for (const auto& e : *a) {
        if (!e.is_string()) return invalid(where(&e), std::string(key) + " must hold strings");
        out.push_back(*e.value<std::string>());
      }
    } else {
      return invalid(where(n), std::string(key) + " must be a string or a non-empty array of them");
    }
    for (const auto& s : out) {
      if (s.empty()) return invalid(where(n), std::string(key) + " must not hold empty names");
    }
    return ok();
  }

  // An array of distinct integers in min..max (an empty array is allowed).
  Result<void> integers(const char* key, std::vector<int>& out, std::int64_t min,
                        std::int64_t max) {
    const toml::node* n = node(key);
    if (!n) return ok();
    const toml::array* a = n->as_array();
    if (!a) return invalid(where(n), std::string(key) + " must be an array of integers");
    for (const auto& e : *a) {
      const auto v = e.value<std::int64_t>();
      if (!e.is_integer() || !v) {
        return invalid(where(&e), std::string(key) + " must hold integers");
      }
      if (*v < min || *v > max) {
        return invalid(where(&e), std::string(key) + ": " + std::to_string(*v) + " is outside " +
                                      std::to_string(min) + ".." + std::to_string(max));
      }
      if (std::find(out.begin(), out.end(), *v) != out.end()) {
        return invalid(where(&e),
                       std::string(key) + ": " + std::to_string(*v) + " is listed twice");
      }
      out.push_back(static_cast<int>(*v));
    }
    return ok();
  }

  Result<void> no_unknown_keys() const {
    for (const auto& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) {
        return invalid(where(&v), "unknown key '" + std::string(k.str()) + "'");
      }
    }
    return ok();
  }

 private:
  const toml::table& t_;
  std::string source_;
  std::string name_;
  std::set<std::string, std::less<>> used_;
};

// The tables of an array-of-tables key ([[role]], [[rule]] …); absent = none.
Result<std::vector<const toml::table*>> tables(TableReader& top, const char* key) {
  std::vector<const toml::table*> out;
  const toml::node* n = top.node(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) return invalid(top.where(n), std::string(key) + " must be written [[" + key + "]]");
  for (const auto& e : *a) {
    const toml::table* t = e.as_table();
    if (!t) return invalid(top.where(&e), std::string(key) + " must be written [[" + key + "]]");
    out.push_back(t);
  }
  return out;
}

const Role* find_role(const std::vector<Role>& roles, const std::string& name) {
  for (const auto& r : roles) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<Role> read_role(const toml::table& t, const std::string& source) {
  TableReader r(t, source, "[[role]]");
  Role role;
  role.line = r.line();
  BRIDGE_TRY(r.string("name", role.name, true));
  r.rename("[[role]] " + role.name);
  // OrganisationType is an int 1..100 (domain.md §5.2); BrugertypeId has no published range.
  BRIDGE_TRY(r.integers("organisation_types", role.organisation_types, 1, 100));
  BRIDGE_TRY(r.integers("brugertype_ids", role.brugertype_ids, 1, 1000000));
  BRIDGE_TRY(r.status(role.status));
  BRIDGE_TRY(r.no_unknown_keys());
  if (role.organisation_types.empty() && role.brugertype_ids.empty()) {
    return invalid(r.where(), "organisation_types or brugertype_ids is required");
  }
  return role;
}

// A role's name, organisation types and user types are its own: otherwise the file order would
// decide silently which role a message gets.
Result<void> check_new_role(const Role& role, const std::vector<Role>& earlier,
                            const std::string& source) {
  const std::string where = source + ":" + std::to_string(role.line) + ": [[role]] " + role.name;
  auto taken = [](const std::vector<int>& values, int v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  for (const auto& other : earlier) {
    if (other.name == role.name) {
      return invalid(where, "name is also used at line " + std::to_string(other.line));
    }
    for (int type : role.organisation_types) {
      if (taken(other.organisation_types, type)) {
        return invalid(where, "organisation type " + std::to_string(type) + " is already role '" +
                                  other.name + "'");
      }
    }
    for (int type : role.brugertype_ids) {
      if (taken(other.brugertype_ids, type)) {
        return invalid(
            where, "brugertype " + std::to_string(type) + " is already role '" + other.name + "'");
      }
    }
  }
  return ok();
}

Result<SamtaletypeSet> read_set(const toml::table& t, const std::string& source) {
  TableReader r(t, source, "[[samtaletype_set]]");
  SamtaletypeSet set;
  set.line = r.line();
  BRIDGE_TRY(r.string("name", set.name, true));
  r.rename("[[samtaletype_set]] " + set.name);
  BRIDGE_TRY(r.integers("ids", set.ids, 1, 1000000));
  BRIDGE_TRY(r.status(set.status));
  BRIDGE_TRY(r.no_unknown_keys());
  if (set.ids.empty()) return invalid(r.where(), "ids must list at least one samtaletype");
  return set;
}

Result<Operation> read_operation(const toml::node& n, TableReader& rule_reader,
                                 const std::string& source, const std::string& rule_name) {
  const toml::table* t = n.as_table();
  if (!t) {
    return invalid(rule_reader.where(&n),
                   "operations must hold tables like { name = \"GetIndkaldelseVersion1\" }");
  }
  TableReader r(*t, source, rule_name + ": operations");
  Operation op;
  BRIDGE_TRY(r.string("name", op.name, true));
  std::string when;
  BRIDGE_TRY(r.string("when", when, false));
  BRIDGE_TRY(r.no_unknown_keys());
  if (when == "haendelsestype") {
    op.only_with_haendelsestype = true;
  } else if (!when.empty()) {
    return invalid(r.where(r.node("when")),
                   "when = \"" + when + "\" is unknown (known: \"haendelsestype\")");
  }
  return op;
}

// Every role name of a condition must be configured; `org_roles_only` for conditions on an
// organisation (recipient, registrant_authority), which a user-type role can never match.
Result<void> check_roles(const std::vector<std::string>& names, const std::vector<Role>& roles,
                         bool org_roles_only, const std::string& where, const char* key) {
  for (const auto& name : names) {
    const Role* role = find_role(roles, name);
    if (!role) return invalid(where, std::string(key) + ": unknown role '" + name + "'");
    if (org_roles_only && role->organisation_types.empty()) {
      return invalid(where, std::string(key) + ": role '" + name +
                                "' has no organisation_types, so it can never match here");
    }
  }
  return ok();
}

// A condition naming a samtaletype_set, which must be configured above the rules.
Result<void> set_name(TableReader& r, const char* key, const std::vector<SamtaletypeSet>& sets,
                      std::string& out) {
  BRIDGE_TRY(r.string(key, out, false));
  if (out.empty()) return ok();
  for (const auto& set : sets) {
    if (set.name == out) return ok();
  }
  return invalid(r.where(r.node(key)),
                 std::string(key) + ": unknown samtaletype_set '" + out + "'");
}

Result<Rule> read_rule(const toml::table& t, const std::string& source,
                       const std::vector<Role>& roles, const std::vector<SamtaletypeSet>& sets) {
  TableReader r(t, source, "[[rule]]");
  Rule rule;
  rule.line = r.line();
  BRIDGE_TRY(r.string("id", rule.id, true));
  const std::string name = "[[rule]] " + rule.id;
  r.rename(name);
  BRIDGE_TRY(r.string("section", rule.section, false));
  BRIDGE_TRY(r.string("sentence", rule.sentence, true));
  BRIDGE_TRY(r.status(rule.status));
  BRIDGE_TRY(r.string("note", rule.note, false));

  BRIDGE_TRY(r.names("recipient", rule.recipient));
  BRIDGE_TRY(check_roles(rule.recipient, roles, true, r.where(r.node("recipient")), "recipient"));
  BRIDGE_TRY(r.names("registrant", rule.registrant));
  BRIDGE_TRY(
      check_roles(rule.registrant, roles, false, r.where(r.node("registrant")), "registrant"));
  BRIDGE_TRY(r.names("registrant_authority", rule.registrant_authority));
  BRIDGE_TRY(check_roles(rule.registrant_authority, roles, true,
                         r.where(r.node("registrant_authority")), "registrant_authority"));
  BRIDGE_TRY(set_name(r, "samtaletype_in", sets, rule.samtaletype_in));
  BRIDGE_TRY(set_name(r, "samtaletype_not_in", sets, rule.samtaletype_not_in));
  BRIDGE_TRY(r.integers("aendringstype", rule.aendringstype, 1, 1000));

  std::string outcome;
  BRIDGE_TRY(r.string("outcome", outcome, false));
  const toml::node* ops = r.node("operations");
  BRIDGE_TRY(r.no_unknown_keys());
  if (outcome.empty()) {
    return invalid(r.where(), "outcome is required (\"deliver\" with operations, or \"skip\")");
  }
  if (outcome == "skip") {
    rule.outcome = Rule::Outcome::skip;
    if (ops) return invalid(r.where(ops), "operations: a skip rule delivers nothing");
    return rule;
  }
  if (outcome != "deliver") {
    return invalid(r.where(r.node("outcome")),
                   "outcome = \"" + outcome + "\" is unknown (known: \"deliver\", \"skip\")");
  }
  rule.outcome = Rule::Outcome::deliver;
  const toml::array* a = ops ? ops->as_array() : nullptr;
  if (!a || a->empty()) {
    return invalid(r.where(ops), "operations: a deliver rule needs a non-empty array of them");
  }
  for (const auto& e : *a) {
    BRIDGE_TRY(auto op, read_operation(e, r, source, name));
    for (const auto& earlier : rule.operations) {
      if (earlier.name == op.name) {
        return invalid(r.where(&e), "operations: '" + op.name + "' is listed twice");
      }
    }
    rule.operations.push_back(std::move(op));
  }
  // A deliver rule that could deliver nothing (every operation conditional) is a skip in disguise.
  if (std::all_of(rule.operations.begin(), rule.operations.end(),
                  [](const Operation& op) { return op.only_with_haendelsestype; })) {
    return invalid(r.where(ops), "operations: at least one must apply always (without `when`)");
  }
  return rule;
}

}  // namespace

Result<RoutingTable> RoutingTable::parse(const std::string& toml_text,
                                         const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorDomain::routing, static_cast<int>(RoutingErrc::syntax),
                      source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                          std::to_string(e.source().begin.column) + ": " +
                          std::string(e.description()));
  }
  RoutingTable table;
  table.source_name_ = source_name;
  table.file_name_ = std::filesystem::path(source_name).filename().string();
  TableReader top(root, source_name, "top level");

  BRIDGE_TRY(auto role_tables, tables(top, "role"));
  for (const toml::table* t : role_tables) {
    BRIDGE_TRY(auto role, read_role(*t, source_name));
    BRIDGE_TRY(check_new_role(role, table.roles_, source_name));
    table.roles_.push_back(std::move(role));
  }

  BRIDGE_TRY(auto set_tables, tables(top, "samtaletype_set"));
  for (const toml::table* t : set_tables) {
    BRIDGE_TRY(auto set, read_set(*t, source_name));
    for (const auto& other : table.sets_) {
      if (other.name == set.name) {
        return invalid(
            source_name + ":" + std::to_string(set.line) + ": [[samtaletype_set]] " + set.name,
            "name is also used at line " + std::to_string(other.line));
      }
    }
    table.sets_.push_back(std::move(set));
  }

  BRIDGE_TRY(auto rule_tables, tables(top, "rule"));
  for (const toml::table* t : rule_tables) {
    BRIDGE_TRY(auto rule, read_rule(*t, source_name, table.roles_, table.sets_));
    for (const auto& other : table.rules_) {
      if (other.id == rule.id) {
        return invalid(source_name + ":" + std::to_string(rule.line) + ": [[rule]] " + rule.id,
                       "id is also used at line " + std::to_string(other.line));
      }
    }
    table.rules_.push_back(std::move(rule));
  }
  BRIDGE_TRY(top.no_unknown_keys());
  if (table.rules_.empty()) {
    return invalid(source_name + ":1: top level",
                   "no [[rule]]: every message would be undecidable");
  }
  return table;
}

Result<RoutingTable> RoutingTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorDomain::routing, static_cast<int>(RoutingErrc::unreadable),
                      path + ": cannot read the routing rule file");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

}  // namespace bridge::routing
