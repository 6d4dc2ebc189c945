#include "bridge/sim/legacy_plan.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace bridge::sim {
namespace {

Error plan_error(const std::string& message) {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::legacy_plan), message);
}

constexpr std::array<std::string_view, 3> kOperations{kGetIndkaldelse, kGetIndkaldelseshaendelse,
                                                      kGetAkasseIndkaldelse};

constexpr std::array<std::pair<InjectionKind, std::string_view>, 5> kKinds{{
    {InjectionKind::wrong_code, "wrong-code"},
    {InjectionKind::missing_element, "missing-element"},
    {InjectionKind::date_precision, "date-precision"},
    {InjectionKind::extra_message, "extra-message"},
    {InjectionKind::missing_message, "missing-message"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The body's Indkaldelsehaendelsestype, matched without case and with or without the 's' the
// specification page writes (domain.md §3.6).
Json haendelsestype(const Step& s) {
  if (!s.body || !s.body->is_object()) return nullptr;
  for (const auto& [key, value] : s.body->items()) {
    const std::string k = lower(key);
    if (k == "indkaldelsehaendelsestype" || k == "indkaldelseshaendelsestype") return value;
  }
  return nullptr;
}

Json organisation_json(const Organisation& o) { return Json{{"type", o.type}, {"code", o.code}}; }

// The template's input: what the legacy system knows about the registration. Only scenario
// concepts are named here; the templates decide which element gets what.
Json model_of(const Step& s, const Json& resource, bool deleted) {
  const Registrant& r = s.registrant;
  return Json{{"registrant",
               {{"system", r.system_id},
                {"authority", organisation_json(r.authority)},
                {"calling", organisation_json(r.calling)},
                {"user",
                 {{"name", r.brugernavn},
                  {"type", r.brugertype},
                  {"identifier", r.brugeridentifikation},
                  {"email", r.brugeremail}}}}},
              {"event", {{"time", s.haendelsestid}, {"type", haendelsestype(s)}}},
              {"citizen", {{"cpr", s.cpr}}},
              {"indkaldelse", {{"id", s.indkaldelse}, {"deleted", deleted ? Json(true) : Json()}}},
              {"resource", resource}};
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The item's own elements first, then WSRMMetadata: a demo shows a status or a samtaletype
// rather than the registering system.
template <class T>
std::vector<std::size_t> candidate_order(const std::vector<T>& items) {
  std::vector<std::size_t> out;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (starts_with(items[i].path, "WSRMMetadata") == (pass == 1)) out.push_back(i);
    }
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    const std::string_view entity = s.substr(i, semi == std::string_view::npos ? 1 : semi - i + 1);
    if (entity == "&amp;")
      out += '&';
    else if (entity == "&lt;")
      out += '<';
    else if (entity == "&gt;")
      out += '>';
    else if (entity == "&quot;")
      out += '"';
    else if (entity == "&apos;")
      out += '\'';
    else if (entity == "&#13;")
      out += '\r';
    else
      out.append(entity);
    i += entity.size() - 1;
  }
  return out;
}

}  // namespace

const char* to_string(InjectionKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name.data();
  }
  return "?";
}

Result<InjectionSpec> parse_injection(std::string_view text) {
  InjectionSpec spec;
  spec.text = std::string(text);
  const auto at = text.find('@');
  const std::string_view kind = text.substr(0, at);
  if (at != std::string_view::npos) {
    spec.step = std::string(text.substr(at + 1));
    if (spec.step.empty()) return plan_error("--inject " + spec.text + ": empty step id after '@'");
  }
  for (const auto& [k, name] : kKinds) {
    if (kind == name) {
      spec.kind = k;
      return spec;
    }
  }
  return plan_error("--inject " + spec.text + ": unknown kind '" + std::string(kind) +
                    "' (wrong-code, missing-element, date-precision, extra-message, "
                    "missing-message)");
}

bool step_matches(const Step& step, std::string_view id) {
  return id == step.id || id == step.label();
}

std::optional<std::string> truncate_fraction(std::string_view text) {
  const auto t = text.find('T');
  const auto dot = text.find('.', t == std::string_view::npos ? 0 : t);
  if (t == std::string_view::npos || dot == std::string_view::npos) return std::nullopt;
  std::size_t end = dot + 1;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  const std::size_t digits = end - dot - 1;
  if (digits == 0) return std::nullopt;
  const std::size_t keep = digits > 3 ? 3 : 0;
  std::string out(text.substr(0, keep ? dot + 1 + keep : dot));
  out.append(text.substr(end));
  return out;
}

std::optional<std::string> shift_date_time(std::string_view text, int seconds) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  const std::string head(text.substr(0, 19));
  if (text.size() < 19 ||
      std::sscanf(head.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
      n != 19) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const sys_seconds moved = sys_days{date} + hours{h} + minutes{mi} + std::chrono::seconds{s} +
                            std::chrono::seconds{seconds};
  const auto day_start = floor<days>(moved);
  const year_month_day new_date{day_start};
  const hh_mm_ss<std::chrono::seconds> time{moved - day_start};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", int(new_date.year()),
                unsigned(new_date.month()), unsigned(new_date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return std::string(buffer) + std::string(text.substr(19));
}

Json Injection::to_json() const {
  const auto value = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(); };
  return Json{{"kind", to_string(kind)},
              {"scenario", step->scenario},
              {"step", step->id},
              {"organisation", organisation.path()},
              {"operation", operation},
              {"indkaldelse", step->indkaldelse},
              {"path", path},
              {"legacy_value", value(legacy_value)},
              {"original_value", value(original_value)}};
}

Result<LegacyPlan> LegacyPlan::build(const std::vector<const Scenario*>& scenarios,
                                     const TemplateSet& templates, UuidGenerator& uuids) {
  LegacyPlan plan(templates);
  for (std::string_view op : kOperations) {
    if (!templates.has(std::string(op))) {
      return plan_error("legacy templates: " + templates.dir() + " has no " + std::string(op) +
                        ".xml");
    }
  }
  for (const Scenario* scenario : scenarios) {
    for (const Organisation& o : scenario->organisations) {
      const bool known = std::any_of(plan.organisations_.begin(), plan.organisations_.end(),
                                     [&](const Organisation& k) { return k.path() == o.path(); });
      if (!known) plan.organisations_.push_back(o);
    }
    std::map<std::string, Json> last_visible;  // by indkaldelse key: what a reader last saw
    for (const Step& s : scenario->steps) {
      const std::string key = indkaldelse_key(s.indkaldelse);
      const bool visible = s.visible && !s.resource.is_null();
      if (visible) last_visible[key] = s.resource;
      if (!s.expect) continue;
      // A Delete the service no longer shows: the indkaldelse as it was last seen, deleted.
      const bool deleted = s.aendringstype == 3;
      const Json resource =
          deleted && !visible ? (last_visible.count(key) ? last_visible[key] : Json()) : s.resource;
      std::vector<const Organisation*> orgs;
      const auto add = [&](const Organisation& o) {
        const bool listed = std::any_of(orgs.begin(), orgs.end(),
                                        [&](const Organisation* p) { return p->key == o.key; });
        if (!listed) orgs.push_back(&o);
      };
      for (const Organisation& o : s.recipients) add(o);
      for (const Organisation& o : scenario->organisations) add(o);
      for (const Organisation* o : orgs) {
        const auto it = s.expect->find(o->key);
        if (it == s.expect->end()) continue;
        for (std::string_view op : kOperations) {
          if (std::find(it->second.begin(), it->second.end(), op) == it->second.end()) continue;
          LegacyMessage m;
          m.step = &s;
          m.organisation = *o;
          m.operation = std::string(op);
          m.message_identifier = uuids.next();
          m.model = model_of(s, resource, deleted);
          plan.by_step_[&s].push_back(plan.messages_.size());
          plan.messages_.push_back(std::move(m));
          auto rendered = plan.render_plain(plan.messages_.size() - 1, "2000-01-01T00:00:00.000Z");
          if (!rendered) {
            return plan_error(s.file + ": step " + s.id + ": " + std::string(op) + " for " +
                              o->key + ": " + rendered.error().message);
          }
        }
      }
    }
  }
  return plan;
}

Result<Rendered> LegacyPlan::render_plain(std::size_t message, const std::string& queued_at) const {
  const LegacyMessage& m = messages_.at(message);
  Json model = m.model;
  model["message"] = Json{{"identifier", m.message_identifier}, {"queued_at", queued_at}};
  return templates_->render(m.operation, model);
}

bool LegacyPlan::overlaps(std::size_t message, std::size_t begin, std::size_t end,
                          const Rendered& rendered) const {
  for (std::size_t i : messages_[message].injections) {
    const Injection& inj = injections_[i];
    std::size_t b = 0, e = 0;
    if (inj.kind == InjectionKind::missing_element) {
      b = rendered.elements[inj.target].begin;
      e = rendered.elements[inj.target].end;
    } else {
      b = rendered.values[inj.target].begin;
      e = rendered.values[inj.target].end;
    }
    if (begin < e && b < end) return true;
  }
  return false;
}

Result<void> LegacyPlan::inject(const InjectionSpec& spec, UuidGenerator& uuids) {
  const std::size_t originals = messages_.size();
  for (std::size_t i = 0; i < originals; ++i) {
    LegacyMessage& m = messages_[i];
    if (m.copy_of || m.skipped || (!spec.step.empty() && !step_matches(*m.step, spec.step))) {
      continue;
    }
    Injection inj;
    inj.kind = spec.kind;
    inj.step = m.step;
    inj.organisation = m.organisation;
    inj.operation = m.operation;
    inj.message = i;
    const std::string event_time = m.model["event"]["time"].get<std::string>();
    if (spec.kind == InjectionKind::missing_message) {
      const bool copied = std::any_of(messages_.begin(), messages_.end(),
                                      [&](const LegacyMessage& c) { return c.copy_of == i; });
      if (!m.injections.empty() || copied) continue;
      m.skipped = true;
      inj.original_value = event_time;
      injections_.push_back(std::move(inj));
      return ok();
    }
    if (spec.kind == InjectionKind::extra_message) {
      const auto shifted = shift_date_time(event_time, 1);
      if (!shifted) continue;
      LegacyMessage copy = m;
      copy.copy_of = i;
      copy.injections.clear();
      copy.message_identifier = uuids.next();
      copy.model["event"]["time"] = *shifted;
      inj.legacy_value = *shifted;
      inj.original_value = event_time;
      auto& order = by_step_[m.step];
      // After the message it copies and any earlier copies of it.
      auto at = std::find(order.begin(), order.end(), i) + 1;
      while (at != order.end() && messages_[*at].copy_of == i) ++at;
      order.insert(at, messages_.size());
      messages_.push_back(std::move(copy));
      injections_.push_back(std::move(inj));
      return ok();
    }
    BRIDGE_TRY(const Rendered r, render_plain(i, "2000-01-01T00:00:00.000Z"));
    if (spec.kind == InjectionKind::missing_element) {
      for (std::size_t e : candidate_order(r.elements)) {
        const RenderedElement& el = r.elements[e];
        if (!el.optional || !el.leaf || overlaps(i, el.begin, el.end, r)) continue;
        const bool own = std::any_of(r.values.begin(), r.values.end(), [&](const RenderedValue& v) {
          return v.begin >= el.begin && v.end <= el.end && starts_with(v.variable, "message.");
        });
        if (own) continue;  // MessageIdentifier and the queue time are the legacy side's own
        inj.path = el.path;
        inj.original_value =
            unescape(std::string_view(r.xml).substr(el.inner_begin, el.inner_end - el.inner_begin));
        inj.target = e;
        m.injections.push_back(injections_.size());
        injections_.push_back(std::move(inj));
        return ok();
      }
      continue;
    }
    for (std::size_t v : candidate_order(r.values)) {
      const RenderedValue& value = r.values[v];
      if (starts_with(value.variable, "message.") || overlaps(i, value.begin, value.end, r)) {
        continue;
      }
      std::optional<std::string> changed;
      if (spec.kind == InjectionKind::date_precision) {
        changed = truncate_fraction(value.text);
      } else if (!value.table.empty()) {
        // wrong-code: the next legacy value of the table after this one (another valid code).
        const CodeTable& table = *templates_->table(value.table);
        std::size_t at = 0;
        for (std::size_t c = 0; c < table.codes.size(); ++c) {
          if (table.codes[c].second == value.text) at = c + 1;
        }
        for (std::size_t c = 0; c < table.codes.size() && !changed; ++c) {
          const std::string& candidate = table.codes[(at + c) % table.codes.size()].second;
          if (candidate != value.text) changed = candidate;
        }
      }
      if (!changed) continue;
      inj.path = value.path;
      inj.legacy_value = *changed;
      inj.original_value = value.text;
      inj.target = v;
      m.injections.push_back(injections_.size());
      injections_.push_back(std::move(inj));
      return ok();
    }
  }
  return plan_error("--inject " + spec.text + ": no applicable legacy message" +
                    (spec.step.empty() ? std::string(" in the run") : " in step " + spec.step));
}

Result<std::string> LegacyPlan::render(std::size_t message, const std::string& queued_at) const {
  BRIDGE_TRY(Rendered r, render_plain(message, queued_at));
  // Splice from the end, so the earlier spans stay where they are.
  std::vector<const Injection*> todo;
  for (std::size_t i : messages_[message].injections) todo.push_back(&injections_[i]);
  const auto begin_of = [&](const Injection* inj) {
    return inj->kind == InjectionKind::missing_element ? r.elements[inj->target].begin
                                                       : r.values[inj->target].begin;
  };
  std::sort(todo.begin(), todo.end(),
            [&](const Injection* a, const Injection* b) { return begin_of(a) > begin_of(b); });
  for (const Injection* inj : todo) {
    if (inj->kind == InjectionKind::missing_element) {
      const RenderedElement& e = r.elements[inj->target];
      r.xml.erase(e.begin, e.end - e.begin);
    } else {
      const RenderedValue& v = r.values[inj->target];
      r.xml.replace(v.begin, v.end - v.begin, xml_escape(*inj->legacy_value));
    }
  }
  return std::move(r.xml);
}

Result<std::vector<RenderedMessage>> LegacyPlan::render_step(const Step& step,
                                                             const std::string& queued_at) const {
  std::vector<RenderedMessage> out;
  const auto it = by_step_.find(&step);
  if (it == by_step_.end()) return out;
  for (std::size_t i : it->second) {
    if (messages_[i].skipped) continue;
    BRIDGE_TRY(std::string xml, render(i, queued_at));
    out.push_back(RenderedMessage{&messages_[i], std::move(xml)});
  }
  return out;
}

}  // namespace bridge::sim
