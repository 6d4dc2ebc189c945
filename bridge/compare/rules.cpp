// Reads the rules of a comparison run (rules.h). Unknown keys are errors at their line: a
// misspelt `reasn` must not turn an ignore rule into one without a reason.
#include "bridge/compare/rules.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace bridge::compare {
namespace {

Error bad(const std::string& where, const std::string& what) {
  return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::rules),
                    where + ": " + what);
}

// One TOML table with the keys it was asked for remembered.
class Keys {
 public:
  Keys(const toml::table& t, const std::string& source, std::string name)
      : t_(t), source_(source), name_(std::move(name)) {}

  std::string where(const toml::node* n = nullptr) const {
    const auto& src = n ? n->source() : t_.source();
    return source_ + ":" + std::to_string(src.begin.line) + ": " + name_;
  }
  const toml::node* get(const char* key) {
    used_.insert(key);
    return t_.get(key);
  }

  Result<void> text(const char* key, std::string& out, bool required) {
    const toml::node* n = get(key);
    if (!n) return required ? Result<void>(bad(where(), std::string(key) + " is required")) : ok();
    if (!n->is_string() || n->value<std::string>()->empty()) {
      return bad(where(n), std::string(key) + " must be a non-empty string");
    }
    out = *n->value<std::string>();
    return ok();
  }
  Result<void> paths(const char* key, std::vector<std::string>& out, bool required) {
    const toml::node* n = get(key);
    if (!n) return required ? Result<void>(bad(where(), std::string(key) + " is required")) : ok();
    const toml::array* a = n->as_array();
    if (!a || a->empty()) return bad(where(n), std::string(key) + " must be a non-empty array");
    for (const auto& e : *a) {
      if (!e.is_string() || e.value<std::string>()->empty()) {
        return bad(where(&e), std::string(key) + " must hold non-empty paths");
      }
      out.push_back(*e.value<std::string>());
    }
    return ok();
  }
  Result<void> rate(const char* key, double& out) {
    const toml::node* n = get(key);
    if (!n) return ok();
    const auto v = n->value<double>();
    if (!v || (!n->is_floating_point() && !n->is_integer()) || *v < 0 || *v > 1) {
      return bad(where(n), std::string(key) + " must be a number from 0 to 1 (a share, 0.05 = 5%)");
    }
    out = *v;
    return ok();
  }
  Result<void> count(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    const toml::node* n = get(key);
    if (!n) return ok();
    const auto v = n->value<std::int64_t>();
    if (!n->is_integer() || !v || *v < min || *v > max) {
      return bad(where(n), std::string(key) + " must be an integer from " + std::to_string(min) +
                               " to " + std::to_string(max));
    }
    out = *v;
    return ok();
  }
  Result<void> done() const {
    for (const auto& [k, v] : t_) {
      if (!used_.count(std::string(k.str()))) {
        return bad(where(&v), "unknown key '" + std::string(k.str()) + "'");
      }
    }
    return ok();
  }

 private:
  const toml::table& t_;
  const std::string& source_;
  std::string name_;
  std::set<std::string, std::less<>> used_;
};

Result<const toml::table*> sub_table(Keys& parent, const char* key) {
  const toml::node* n = parent.get(key);
  if (!n) return static_cast<const toml::table*>(nullptr);
  if (!n->is_table()) return bad(parent.where(n), std::string(key) + " must be a table");
  return n->as_table();
}

Result<std::vector<const toml::table*>> table_array(Keys& parent, const char* key) {
  std::vector<const toml::table*> out;
  const toml::node* n = parent.get(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) return bad(parent.where(n), std::string(key) + " must be written [[" + key + "]]");
  for (const auto& e : *a) {
    if (!e.is_table()) return bad(parent.where(&e), std::string(key) + " must hold tables");
    out.push_back(e.as_table());
  }
  return out;
}

std::string line_of(const std::string& source, const toml::table& t) {
  return source + ":" + std::to_string(t.source().begin.line);
}

Result<void> read_match(Rules& rules, const toml::table& t) {
  Keys k(t, rules.file, "[match]");
  std::int64_t digits = rules.key_fraction_digits;
  BRIDGE_TRY(k.count("key_fraction_digits", digits, 0, 9));
  rules.key_fraction_digits = static_cast<int>(digits);
  BRIDGE_TRY(const toml::table* keys, sub_table(k, "keys"));
  if (keys) {
    for (const auto& [op, node] : *keys) {
      Keys one(*keys, rules.file, "[match.keys]");
      std::vector<std::string> paths;
      BRIDGE_TRY(one.paths(std::string(op.str()).c_str(), paths, true));
      rules.keys[std::string(op.str())] = std::move(paths);
    }
  }
  return k.done();
}

Result<void> read_thresholds(Rules& rules, const toml::table& t) {
  Keys k(t, rules.file, "[thresholds]");
  BRIDGE_TRY(k.rate("message_rate", rules.message_rate));
  BRIDGE_TRY(k.rate("field_rate", rules.field_rate));
  BRIDGE_TRY(k.count("unmatched", rules.unmatched, 0, 1'000'000'000));
  BRIDGE_TRY(auto fields, table_array(k, "field"));
  for (const toml::table* f : fields) {
    Keys fk(*f, rules.file, "[[thresholds.field]]");
    FieldThreshold th;
    th.where = line_of(rules.file, *f);
    BRIDGE_TRY(fk.text("operation", th.operation, false));
    BRIDGE_TRY(fk.text("path", th.path, true));
    if (!fk.get("max_rate")) return bad(fk.where(), "max_rate is required");
    BRIDGE_TRY(fk.rate("max_rate", th.max_rate));
    BRIDGE_TRY(fk.done());
    rules.field_thresholds.push_back(std::move(th));
  }
  BRIDGE_TRY(auto ops, table_array(k, "operation"));
  for (const toml::table* o : ops) {
    Keys ok_(*o, rules.file, "[[thresholds.operation]]");
    OperationThreshold th;
    th.where = line_of(rules.file, *o);
    BRIDGE_TRY(ok_.text("operation", th.operation, true));
    if (ok_.get("message_rate")) {
      double r = 0;
      BRIDGE_TRY(ok_.rate("message_rate", r));
      th.message_rate = r;
    }
    if (ok_.get("unmatched")) {
      std::int64_t u = 0;
      BRIDGE_TRY(ok_.count("unmatched", u, 0, 1'000'000'000));
      th.unmatched = u;
    }
    BRIDGE_TRY(ok_.done());
    rules.operation_thresholds.push_back(std::move(th));
  }
  return k.done();
}

}  // namespace

bool IgnoreRule::covers(const std::string& operation_name, const std::string& field) const {
  if (!operation.empty() && operation != operation_name) return false;
  return field == path ||
         (field.size() > path.size() && field.starts_with(path) && field[path.size()] == '/');
}

Result<Rules> Rules::parse(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return bad(source + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
  Rules rules;
  rules.file = source;
  Keys top(root, rules.file, "top level");
  BRIDGE_TRY(const toml::table* match, sub_table(top, "match"));
  if (match) BRIDGE_TRY(read_match(rules, *match));

  BRIDGE_TRY(auto repeats, table_array(top, "repeat"));
  for (const toml::table* r : repeats) {
    Keys k(*r, rules.file, "[[repeat]]");
    RepeatKey rk;
    rk.where = line_of(rules.file, *r);
    BRIDGE_TRY(k.text("operation", rk.operation, false));
    BRIDGE_TRY(k.text("path", rk.path, true));
    BRIDGE_TRY(k.paths("key", rk.key, true));
    BRIDGE_TRY(k.done());
    rules.repeats.push_back(std::move(rk));
  }

  BRIDGE_TRY(auto ignores, table_array(top, "ignore"));
  for (const toml::table* i : ignores) {
    Keys k(*i, rules.file, "[[ignore]]");
    IgnoreRule ir;
    ir.where = line_of(rules.file, *i);
    BRIDGE_TRY(k.text("operation", ir.operation, false));
    BRIDGE_TRY(k.text("path", ir.path, true));
    BRIDGE_TRY(k.text("reason", ir.reason, true));
    BRIDGE_TRY(k.text("ticket", ir.ticket, false));
    BRIDGE_TRY(k.done());
    rules.ignores.push_back(std::move(ir));
  }

  BRIDGE_TRY(const toml::table* thresholds, sub_table(top, "thresholds"));
  if (thresholds) BRIDGE_TRY(read_thresholds(rules, *thresholds));

  BRIDGE_TRY(const toml::table* noise, sub_table(top, "noise"));
  if (noise) {
    Keys k(*noise, rules.file, "[noise]");
    BRIDGE_TRY(k.rate("relative", rules.noise_relative));
    BRIDGE_TRY(k.rate("absolute", rules.noise_absolute));
    BRIDGE_TRY(k.done());
  }
  BRIDGE_TRY(const toml::table* output, sub_table(top, "output"));
  if (output) {
    Keys k(*output, rules.file, "[output]");
    auto n = static_cast<std::int64_t>(rules.max_examples_per_field);
    BRIDGE_TRY(k.count("max_examples_per_field", n, 1, 1'000'000));
    rules.max_examples_per_field = static_cast<std::size_t>(n);
    BRIDGE_TRY(k.done());
  }
  BRIDGE_TRY(top.done());
  return rules;
}

Result<Rules> Rules::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::rules),
                      path + ": cannot read the comparison rules");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

double Rules::field_threshold(const std::string& operation, const std::string& field) const {
  double out = field_rate;
  for (const auto& t : field_thresholds) {  // the last matching entry wins; specific over general
    if ((t.operation.empty() || t.operation == operation) && t.path == field) out = t.max_rate;
  }
  return out;
}

double Rules::message_threshold(const std::string& operation) const {
  for (const auto& t : operation_thresholds) {
    if (t.operation == operation && t.message_rate) return *t.message_rate;
  }
  return message_rate;
}

std::int64_t Rules::unmatched_threshold(const std::string& operation) const {
  for (const auto& t : operation_thresholds) {
    if (t.operation == operation && t.unmatched) return *t.unmatched;
  }
  return unmatched;
}

const IgnoreRule* Rules::ignore_for(const std::string& operation, const std::string& field) const {
  for (const auto& r : ignores) {
    if (r.covers(operation, field)) return &r;
  }
  return nullptr;
}

}  // namespace bridge::compare
