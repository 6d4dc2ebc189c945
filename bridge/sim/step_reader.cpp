#include "bridge/sim/step_reader.h"

#include "bridge/core/uuid.h"
#include "bridge/sim/resource_shape.h"

#include <algorithm>
#include <cctype>

namespace bridge::sim {
namespace {

bool is_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 2024-04-23T12:47:17.154073+02:00: date, time, 0–7 fraction digits, Z or an offset.
bool is_date_time(std::string_view s) {
  const auto digits_at = [&](std::size_t pos, std::size_t n) {
    return pos + n <= s.size() && is_digits(s.substr(pos, n));
  };
  if (!(digits_at(0, 4) && s.size() > 19 && s[4] == '-' && digits_at(5, 2) && s[7] == '-' &&
        digits_at(8, 2) && s[10] == 'T' && digits_at(11, 2) && s[13] == ':' && digits_at(14, 2) &&
        s[16] == ':' && digits_at(17, 2))) {
    return false;
  }
  std::size_t pos = 19;
  if (s[pos] == '.') {
    std::size_t n = 0;
    while (pos + 1 + n < s.size() && std::isdigit(static_cast<unsigned char>(s[pos + 1 + n]))) ++n;
    if (n == 0 || n > 7) return false;
    pos += 1 + n;
  }
  const std::string_view zone = s.substr(pos);
  return zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
                         digits_at(pos + 1, 2) && zone[3] == ':' && digits_at(pos + 4, 2));
}

std::string default_brugertype_navn(std::int64_t id) {
  switch (id) {
    case 1:
      return "Citizen";
    case 2:
      return "Caseworker";
    case 3:
      return "System";
  }
  return "";
}

std::string default_systemnavn(std::int64_t id) {
  switch (id) {
    case 1:
      return "Andet";
    case 30:
      return "DFDG";
    case 32:
      return "Jobnet";
  }
  return "";
}

std::string default_aendringstype_navn(std::int64_t id) {
  switch (id) {
    case 1:
      return "Create";
    case 2:
      return "Update";
    case 3:
      return "Delete";
  }
  return "";
}

const Organisation* organisation(const Scenario& s, std::string_view key) {
  for (const Organisation& o : s.organisations) {
    if (o.key == key) return &o;
  }
  return nullptr;
}

std::string declared(const Scenario& s) {
  std::string out;
  for (const Organisation& o : s.organisations) out += (out.empty() ? "" : ", ") + o.key;
  return out;
}

// An organisation key at `pointer`, resolved.
std::optional<Organisation> organisation_ref(const Json& value, const std::string& pointer,
                                             const Scenario& scenario, FieldReader& r) {
  if (!value.is_string()) {
    r.fail(pointer, "must be an organisation key (a string), got " + json_type_name(value));
    return std::nullopt;
  }
  const Organisation* o = organisation(scenario, value.get<std::string>());
  if (!o) {
    r.fail(pointer, "unknown organisation '" + value.get<std::string>() +
                        "' (declared in /organisations: " + declared(scenario) + ")");
    return std::nullopt;
  }
  return *o;
}

void read_registrant(const Json& step, const std::string& sp, const Scenario& scenario,
                     FieldReader& r, Registrant& out) {
  const Json* reg = r.find(step, sp, "registrant", true);
  if (!reg) return;
  const std::string p = pointer_to(sp, "registrant");
  if (!r.object(*reg, p,
                {"org", "kaldende_org", "brugertype", "brugertype_navn", "brugernavn",
                 "brugeridentifikation", "brugeremail", "system_id", "systemnavn"})) {
    return;
  }
  if (const Json* org = r.find(*reg, p, "org", true)) {
    if (auto o = organisation_ref(*org, pointer_to(p, "org"), scenario, r)) out.authority = *o;
  }
  out.calling = out.authority;
  if (const Json* calling = r.find(*reg, p, "kaldende_org", false)) {
    if (auto o = organisation_ref(*calling, pointer_to(p, "kaldende_org"), scenario, r)) {
      out.calling = *o;
    }
  }
  const auto brugertype = r.integer(*reg, p, "brugertype", true);
  out.brugernavn = r.string(*reg, p, "brugernavn", true).value_or("");
  out.brugeridentifikation = r.string(*reg, p, "brugeridentifikation", true).value_or("");
  out.brugeremail = r.string(*reg, p, "brugeremail", false).value_or("");
  const auto system_id = r.integer(*reg, p, "system_id", false).value_or(1);
  const auto navn = r.string(*reg, p, "brugertype_navn", false);
  const auto systemnavn = r.string(*reg, p, "systemnavn", false);
  if (r.failed()) return;
  out.brugertype = static_cast<int>(*brugertype);
  out.brugertype_navn = navn.value_or(default_brugertype_navn(*brugertype));
  if (out.brugertype_navn.empty()) {
    r.fail(pointer_to(p, "brugertype_navn"), "is required for brugertype " +
                                                 std::to_string(*brugertype) +
                                                 " (known: 1 Citizen, 2 Caseworker, 3 System)");
  }
  out.system_id = static_cast<int>(system_id);
  out.systemnavn = systemnavn.value_or(default_systemnavn(system_id));
  if (out.systemnavn.empty()) {
    r.fail(pointer_to(p, "systemnavn"), "is required for system_id " + std::to_string(system_id) +
                                            " (known: 1 Andet, 30 DFDG, 32 Jobnet)");
  }
}

void read_recipients(const Json& step, const std::string& sp, const Scenario& scenario,
                     FieldReader& r, Step& out) {
  const Json* recipients = r.find(step, sp, "recipients", true);
  if (!recipients) return;
  const std::string p = pointer_to(sp, "recipients");
  if (!recipients->is_array()) {
    r.fail(p, "must be an array of organisation keys, got " + json_type_name(*recipients));
    return;
  }
  for (std::size_t i = 0; i < recipients->size(); ++i) {
    auto o = organisation_ref((*recipients)[i], pointer_to(p, i), scenario, r);
    if (!o) return;
    for (const Organisation& seen : out.recipients) {
      if (seen.key == o->key) {
        r.fail(pointer_to(p, i), "organisation '" + o->key + "' is listed twice");
        return;
      }
    }
    out.recipients.push_back(*o);
  }
}

void read_expect(const Json& step, const std::string& sp, const Scenario& scenario, FieldReader& r,
                 Step& out) {
  const Json* expect = r.find(step, sp, "expect", false);
  if (!expect) return;
  const std::string p = pointer_to(sp, "expect");
  if (!expect->is_object()) {
    r.fail(p,
           "must be an object of organisation key → [operation…], got " + json_type_name(*expect));
    return;
  }
  std::map<std::string, std::vector<std::string>> result;
  for (const auto& [key, ops] : expect->items()) {
    const std::string kp = pointer_to(p, key);
    if (!organisation(scenario, key)) {
      r.fail(kp, "unknown organisation '" + key + "' (declared: " + declared(scenario) + ")");
      return;
    }
    if (!ops.is_array()) {
      r.fail(kp, "must be an array of operation names, got " + json_type_name(ops));
      return;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Json& op = ops[i];
      const std::string name = op.is_string() ? op.get<std::string>() : "";
      if (name != kGetIndkaldelse && name != kGetIndkaldelseshaendelse &&
          name != kGetAkasseIndkaldelse) {
        r.fail(pointer_to(kp, i), "must be one of " + std::string(kGetIndkaldelse) + ", " +
                                      std::string(kGetIndkaldelseshaendelse) + ", " +
                                      std::string(kGetAkasseIndkaldelse) + "; got " + op.dump());
        return;
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        r.fail(pointer_to(kp, i), "operation " + name + " is listed twice");
        return;
      }
      names.push_back(name);
    }
    result[key] = std::move(names);
  }
  out.expect = std::move(result);
}

// resource / resource_patch / neither, resolved against the indkaldelse's previous state.
void read_resource(const Json& step, const std::string& sp, FileContext& ctx, FieldReader& r,
                   Step& out) {
  const Json* full = r.find(step, sp, "resource", false);
  const Json* patch = r.find(step, sp, "resource_patch", false);
  const std::string key = indkaldelse_key(out.indkaldelse);
  const auto previous = ctx.last_resource.find(key);
  if (full && patch) {
    r.fail(pointer_to(sp, "resource_patch"), "give either resource or resource_patch, not both");
    return;
  }
  std::string p;
  if (full) {
    p = pointer_to(sp, "resource");
    out.resource = *full;
    out.resource_given = true;
  } else if (patch) {
    p = pointer_to(sp, "resource_patch");
    if (!patch->is_object()) {
      r.fail(p, "must be an object (a JSON merge patch, RFC 7396), got " + json_type_name(*patch));
      return;
    }
    if (previous == ctx.last_resource.end() || previous->second.is_null()) {
      r.fail(p, "no earlier step of indkaldelse " + out.indkaldelse +
                    " in this file has a resource to patch; give the whole resource instead");
      return;
    }
    out.resource = previous->second;
    out.resource.merge_patch(*patch);
    out.resource_given = true;
  } else {
    // Unchanged: whatever the indkaldelse had (nothing yet: 404).
    out.resource = previous == ctx.last_resource.end() ? Json() : previous->second;
  }
  if (out.resource_given && !out.resource.is_null()) {
    check_resource_shape(out.resource, p, r);
    if (r.failed()) return;
    const Json& id = out.resource["indkaldelseId"];
    if (indkaldelse_key(id.get<std::string>()) != key) {
      r.fail(pointer_to(p, "indkaldelseId"),
             "is " + id.get<std::string>() + ", but the step's indkaldelse is " + out.indkaldelse);
      return;
    }
  }
  ctx.last_resource[key] = out.resource;
}

}  // namespace

Step read_step(const Json& step, const std::string& sp, FileContext& ctx, FieldReader& r) {
  Step out;
  const Scenario& scenario = ctx.scenario;
  out.file = scenario.file;
  out.scenario = scenario.name;
  out.pointer = sp;
  if (!r.object(step, sp,
                {"id",
                 "description",
                 "indkaldelse",
                 "cpr",
                 "aendringstype",
                 "aendringstype_navn",
                 "haendelsestype",
                 "body",
                 "registrant",
                 "haendelsestid",
                 "besked_identifier",
                 "korrelations_identifier",
                 "miljoe",
                 "layout",
                 "recipients",
                 "resource",
                 "resource_patch",
                 "visible",
                 "await_fetch",
                 "expect"})) {
    return out;
  }
  out.id = r.string(step, sp, "id", true).value_or("");
  if (r.failed()) return out;
  if (!is_name(out.id, 80)) {
    r.fail(pointer_to(sp, "id"), "a step id is 1–80 letters, digits, '-', '_' or '.'");
    return out;
  }
  if (!ctx.step_ids.insert(out.id).second) {
    r.fail(pointer_to(sp, "id"), "step id '" + out.id + "' is used twice in this file");
    return out;
  }
  out.description = r.string(step, sp, "description", false).value_or("");
  out.indkaldelse = r.string(step, sp, "indkaldelse", true).value_or("");
  out.cpr = r.string(step, sp, "cpr", true).value_or("");
  if (r.failed()) return out;
  // 'x' stands for an anonymised hex digit, as in the seed's "xxxxxxxx-54a7-…" (the bridge
  // accepts it the same way), so the published example can be replayed verbatim.
  std::string unmasked = out.indkaldelse;
  for (char& c : unmasked) {
    if (c == 'x' || c == 'X') c = '0';
  }
  if (!is_uuid(unmasked)) {
    r.fail(pointer_to(sp, "indkaldelse"),
           "must be a GUID (8-4-4-4-12 hex digits; x for an anonymised digit), got '" +
               out.indkaldelse + "'");
  }
  if (out.cpr.size() != 10 || !is_digits(out.cpr)) {
    r.fail(pointer_to(sp, "cpr"), "a CPR number is 10 digits");
  }
  const auto aendringstype = r.integer(step, sp, "aendringstype", true);
  const auto aendringstype_navn = r.string(step, sp, "aendringstype_navn", false);
  if (r.failed()) return out;
  out.aendringstype = static_cast<int>(*aendringstype);
  out.aendringstype_navn = aendringstype_navn.value_or(default_aendringstype_navn(*aendringstype));
  if (out.aendringstype_navn.empty()) {
    r.fail(pointer_to(sp, "aendringstype_navn"), "is required for aendringstype " +
                                                     std::to_string(*aendringstype) +
                                                     " (known: 1 Create, 2 Update, 3 Delete)");
  }
  const Json* haendelsestype = r.find(step, sp, "haendelsestype", false);
  const Json* body = r.find(step, sp, "body", false);
  if (haendelsestype && body) {
    r.fail(pointer_to(sp, "body"), "give either haendelsestype or body, not both");
  } else if (haendelsestype) {
    if (!haendelsestype->is_number_integer()) {
      r.fail(
          pointer_to(sp, "haendelsestype"),
          "must be an integer (Indkaldelsehaendelsestype), got " + json_type_name(*haendelsestype));
    } else {
      out.body = Json{{"Indkaldelsehaendelsestype", *haendelsestype}};
    }
  } else if (body) {
    if (!body->is_object()) {
      r.fail(pointer_to(sp, "body"),
             "must be an object (the WSB body), got " + json_type_name(*body));
    } else {
      out.body = *body;
    }
  }
  read_registrant(step, sp, scenario, r, out.registrant);
  out.haendelsestid = r.string(step, sp, "haendelsestid", true).value_or("");
  if (!r.failed() && !is_date_time(out.haendelsestid)) {
    r.fail(pointer_to(sp, "haendelsestid"),
           "must be an ISO 8601 date-time with an offset, e.g. "
           "2024-04-23T12:47:17.154073+02:00; got '" +
               out.haendelsestid + "'");
  }
  out.besked_identifier = r.string(step, sp, "besked_identifier", false)
                              .value_or(default_besked_identifier(scenario.name, out.id));
  out.korrelations_identifier =
      r.string(step, sp, "korrelations_identifier", false)
          .value_or(default_korrelations_identifier(scenario.name, out.id));
  out.miljoe = r.string(step, sp, "miljoe", false).value_or(ctx.miljoe);
  const std::string layout = r.string(step, sp, "layout", false).value_or("flat");
  if (layout == "flat") {
    out.layout = Layout::flat;
  } else if (layout == "pair") {
    out.layout = Layout::pair;
  } else if (layout == "header_body") {
    out.layout = Layout::header_body;
  } else if (layout == "array") {
    out.layout = Layout::array;
  } else if (!r.failed()) {
    r.fail(pointer_to(sp, "layout"),
           "must be \"flat\", \"pair\", \"header_body\" or \"array\", got \"" + layout + "\"");
  }
  read_recipients(step, sp, scenario, r, out);
  out.visible = r.boolean(step, sp, "visible", false).value_or(true);
  out.await_fetch = r.boolean(step, sp, "await_fetch", false).value_or(true);
  read_expect(step, sp, scenario, r, out);
  if (r.failed()) return out;
  read_resource(step, sp, ctx, r, out);
  return out;
}

bool is_name(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace bridge::sim
