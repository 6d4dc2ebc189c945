// Evaluates a loaded RoutingTable: roles of the parties, then the rules in file order, the first
// matching one deciding. Unknown inputs a rule needs make the decision undecidable, never a guess.
#include "bridge/routing/routing.h"

#include <algorithm>

namespace bridge::routing {
namespace {

bool contains(const std::vector<int>& values, int v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "8 = jobcenter", "5 = no role", "none".
std::string with_role(std::optional<int> value, const std::string& role) {
  if (!value) return "none";
  return std::to_string(*value) + " = " + (role.empty() ? std::string("no role") : role);
}

std::string optional_int(std::optional<int> v) { return v ? std::to_string(*v) : "unknown"; }

}  // namespace

const char* to_string(RouteDecision::Kind kind) {
  switch (kind) {
    case RouteDecision::Kind::deliver:
      return "deliver";
    case RouteDecision::Kind::skip:
      return "skip";
    case RouteDecision::Kind::undecidable:
      return "undecidable";
  }
  return "?";
}

std::string RoutingTable::role_of(int org_type) const {
  for (const auto& role : roles_) {
    if (contains(role.organisation_types, org_type)) return role.name;
  }
  return "";
}

std::string RoutingTable::registrant_role_of(std::optional<int> org_type,
                                             std::optional<int> brugertype) const {
  // A citizen booking or confirming is the citizen, whichever authority's calendar it lands in.
  if (brugertype) {
    for (const auto& role : roles_) {
      if (contains(role.brugertype_ids, *brugertype)) return role.name;
    }
  }
  return org_type ? role_of(*org_type) : "";
}

const SamtaletypeSet* RoutingTable::samtaletype_set(const std::string& name) const {
  for (const auto& set : sets_) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

RouteDecision RoutingTable::route(const RouteInput& in) const {
  const std::string recipient = role_of(in.recipient_org_type);
  const std::string registrant = registrant_role_of(in.registrant_org_type, in.brugertype_id);
  const std::string authority = in.registrant_org_type ? role_of(*in.registrant_org_type) : "";

  // Every reason names all inputs, so a quarantined message can be judged without the rule file.
  std::string inputs = "recipient organisation type " +
                       with_role(in.recipient_org_type, recipient) +
                       ", registrant organisation type " +
                       with_role(in.registrant_org_type, authority) + ", brugertype ";
  if (in.brugertype_id && registrant != authority) {
    inputs += with_role(in.brugertype_id, registrant);
  } else {
    inputs += optional_int(in.brugertype_id);
  }
  inputs += ", samtaletype " + optional_int(in.samtaletype) + ", aendringstype " +
            optional_int(in.aendringstype) +
            (in.has_haendelsestype ? ", with haendelsestype" : ", without haendelsestype");

  auto decided_by = [&](const Rule& rule, RouteDecision::Kind kind, std::string reason) {
    RouteDecision d;
    d.kind = kind;
    d.rule_id = file_name_ + "#" + rule.id;
    d.sentence = rule.sentence;
    d.reason = std::move(reason);
    return d;
  };

  for (const auto& rule : rules_) {
    // Known inputs first: only when everything else matches does an unknown one matter.
    if (!rule.recipient.empty() && !contains(rule.recipient, recipient)) continue;
    if (!rule.registrant.empty() && !contains(rule.registrant, registrant)) continue;
    if (!rule.registrant_authority.empty() && !contains(rule.registrant_authority, authority)) {
      continue;
    }
    if (!rule.aendringstype.empty()) {
      if (!in.aendringstype) {
        return decided_by(rule, RouteDecision::Kind::undecidable,
                          "aendringstype unknown: rule " + rule.id + " needs it; " + inputs);
      }
      if (!contains(rule.aendringstype, *in.aendringstype)) continue;
    }
    const SamtaletypeSet* in_set =
        rule.samtaletype_in.empty() ? nullptr : samtaletype_set(rule.samtaletype_in);
    const SamtaletypeSet* not_in_set =
        rule.samtaletype_not_in.empty() ? nullptr : samtaletype_set(rule.samtaletype_not_in);
    if (in_set || not_in_set) {
      if (!in.samtaletype) {
        return decided_by(
            rule, RouteDecision::Kind::undecidable,
            "samtaletype unknown: no snapshot; rule " + rule.id + " needs it; " + inputs);
      }
      if (in_set && !contains(in_set->ids, *in.samtaletype)) continue;
      if (not_in_set && contains(not_in_set->ids, *in.samtaletype)) continue;
    }

    if (rule.outcome == Rule::Outcome::skip) {
      return decided_by(rule, RouteDecision::Kind::skip,
                        "not sent by rule " + rule.id + ": " + inputs);
    }
    RouteDecision d = decided_by(rule, RouteDecision::Kind::deliver, "");
    for (const auto& op : rule.operations) {
      if (!op.only_with_haendelsestype || in.has_haendelsestype) d.operations.push_back(op.name);
    }
    return d;
  }

  RouteDecision d;
  d.kind = RouteDecision::Kind::undecidable;
  if (recipient.empty()) {
    d.reason = "recipient organisation type " + std::to_string(in.recipient_org_type) +
               " has no role in " + file_name_ + " and no rule matches: " + inputs;
  } else {
    d.reason = "no rule in " + file_name_ + " matches: " + inputs;
  }
  return d;
}

}  // namespace bridge::routing
