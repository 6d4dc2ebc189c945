// Loading and checking mapping tables and code lists against the XSD (docs/mapping.md).

#include "bridge/core/xml_text.h"
#include "bridge/mapping/plan.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

namespace bridge::mapping {

namespace {

namespace fs = std::filesystem;

// Collects problems with their place: "file:line: message".
class Diagnostics {
 public:
  explicit Diagnostics(CheckReport& report) : report_(report) {}
  void error(const std::string& file, int line, const std::string& message) {
    report_.errors.push_back(place(file, line) + message);
  }
  void warning(const std::string& file, int line, const std::string& message) {
    report_.warnings.push_back(place(file, line) + message);
  }
  std::size_t errors() const { return report_.errors.size(); }

 private:
  static std::string place(const std::string& file, int line) {
    return line > 0 ? file + ":" + std::to_string(line) + ": " : file + ": ";
  }
  CheckReport& report_;
};

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::optional<toml::table> parse_toml(const fs::path& path, Diagnostics& diag) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    diag.error(path.filename().string(), static_cast<int>(e.source().begin.line),
               std::string("not valid TOML: ") + std::string(e.description()));
    return std::nullopt;
  }
}

// A string member; "" when absent. A present member of another type is an error.
std::string get_string(const toml::table& t, const char* key, const std::string& file,
                       Diagnostics& diag, const std::string& what) {
  const toml::node* n = t.get(key);
  if (!n) return {};
  if (!n->is_string()) {
    diag.error(file, line_of(*n), what + key + " must be a string");
    return {};
  }
  return *n->value<std::string>();
}

void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                const std::string& file, Diagnostics& diag, const std::string& what) {
  for (const auto& [key, node] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      diag.error(file, line_of(node),
                 what + "unknown key '" + std::string(key.str()) + "' (allowed: " + list + ")");
    }
  }
}

// A code value written as an integer or a string, as text.
std::optional<std::string> code_text(const toml::node* n) {
  if (!n) return std::nullopt;
  if (auto i = n->value<std::int64_t>(); i && n->is_integer()) return std::to_string(*i);
  if (n->is_string()) return *n->value<std::string>();
  return std::nullopt;
}

void load_codelist(const fs::path& path, std::map<std::string, CodeList>& out, Diagnostics& diag) {
  const std::string file = "codelists/" + path.filename().string();
  auto doc = parse_toml(path, diag);
  if (!doc) return;
  check_keys(*doc, {"name", "description", "status", "value"}, file, diag, "");
  CodeList list;
  list.file = file;
  list.name = get_string(*doc, "name", file, diag, "");
  if (list.name.empty()) list.name = path.stem().string();
  list.description = get_string(*doc, "description", file, diag, "");
  list.status = get_string(*doc, "status", file, diag, "");
  const toml::array* values = doc->get_as<toml::array>("value");
  if (!values) {
    diag.error(file, 0, "a code list needs [[value]] entries");
    return;
  }
  std::set<std::string> codes, legacies;
  for (const auto& node : *values) {
    const toml::table* v = node.as_table();
    if (!v) continue;
    const int line = line_of(node);
    check_keys(*v, {"code", "legacy", "name", "status"}, file, diag, "[[value]] ");
    CodeValue value;
    const auto code = code_text(v->get("code"));
    if (!code) {
      diag.error(file, line, "[[value]] needs code = <integer or string>");
      continue;
    }
    value.code = *code;
    value.legacy = code_text(v->get("legacy")).value_or(value.code);
    value.name = get_string(*v, "name", file, diag, "[[value]] ");
    value.status = get_string(*v, "status", file, diag, "[[value]] ");
    if (value.status.rfind("confirmed", 0) != 0 && value.status.rfind("assumed", 0) != 0) {
      diag.error(file, line,
                 "code " + value.code +
                     ": status must start with 'confirmed' or 'assumed' (found '" + value.status +
                     "')");
    }
    if (!codes.insert(value.code).second)
      diag.error(file, line, "code " + value.code + " is listed twice");
    if (!legacies.insert(value.legacy).second) {
      diag.error(file, line,
                 "legacy code " + value.legacy +
                     " is listed twice: the backward mapping would be ambiguous");
    }
    list.values.push_back(std::move(value));
  }
  list.index();
  if (!out.emplace(list.name, std::move(list)).second) {
    diag.error(file, 0, "code list name is used by another file too");
  }
}

std::optional<Transform> transform_named(std::string_view name) {
  static const std::map<std::string_view, Transform> names = {
      {"string", Transform::string},      {"identity", Transform::string},
      {"integer", Transform::integer},    {"boolean", Transform::boolean},
      {"datetime", Transform::date_time}, {"date", Transform::date},
      {"code", Transform::code},          {"each", Transform::each},
  };
  const auto it = names.find(name);
  if (it == names.end()) return std::nullopt;
  return it->second;
}

bool transform_fits(Transform t, ValueKind kind) {
  switch (t) {
    case Transform::string:
      return kind == ValueKind::string || kind == ValueKind::any_uri;
    case Transform::integer:
      return kind == ValueKind::integer;
    case Transform::boolean:
      return kind == ValueKind::boolean;
    case Transform::date_time:
      return kind == ValueKind::date_time;
    case Transform::date:
      return kind == ValueKind::date;
    case Transform::code:
      return kind == ValueKind::integer || kind == ValueKind::string;
    case Transform::each:
      return false;
  }
  return false;
}

std::string type_label(const SimpleType& st) {
  if (st.name.empty()) return st.builtin;
  return st.name + " (" + st.builtin + ")";
}

void build_plan(PlanNode& node, const ElementNode& element, const std::string& path,
                const std::string& parent_ns, bool chain_required, std::size_t& order,
                std::map<std::string, PlanNode*>& by_path, std::set<std::string>& bad_patterns) {
  node.element = &element;
  node.path = path;
  node.required = element.min_occurs >= 1;
  node.chain_required = chain_required && node.required;
  node.order = order++;
  const std::string ns_attr =
      element.ns == parent_ns ? "" : " xmlns=\"" + xml_escape(element.ns) + "\"";
  node.open = "<" + element.name + ns_attr + ">";
  node.close = "</" + element.name + ">";
  if (element.simple && !element.simple->patterns.empty()) {
    node.check = std::make_shared<LeafCheck>();
    for (const auto& p : element.simple->patterns) {
      try {
        node.check->patterns.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
        node.check->simple.push_back(SimplePattern::compile(p));
      } catch (const std::regex_error&) {
        bad_patterns.insert(p);
      }
    }
  }
  node.children.resize(element.children.size());
  for (std::size_t i = 0; i < element.children.size(); ++i) {
    const auto& child = *element.children[i];
    // The item's own children declare their namespace: the stored content must be
    // namespace-complete on its own (gSOAP writes the item tag with a prefix, and backward reads
    // the content without the item element).
    build_plan(node.children[i], child, path.empty() ? child.name : path + "/" + child.name,
               path.empty() ? std::string() : element.ns, node.chain_required, order, by_path,
               bad_patterns);
  }
  if (!path.empty()) by_path.emplace(path, &node);
}

// The deepest existing node on `path`, for "unknown path" messages listing what is there.
std::string children_hint(const CompiledTable& t, const std::string& path) {
  std::string prefix = path;
  const PlanNode* node = &t.root;
  while (true) {
    const auto slash = prefix.rfind('/');
    if (slash == std::string::npos) break;
    prefix = prefix.substr(0, slash);
    if (const auto it = t.by_path.find(prefix); it != t.by_path.end()) {
      node = it->second;
      break;
    }
  }
  std::string names;
  for (const auto& c : node->children) names += (names.empty() ? "" : ", ") + c.element->name;
  return (node == &t.root ? "the item" : node->path) + " has: " + names;
}

// The reference tokens of a JSON pointer, each with the array index it names, if any (the
// rule of nlohmann::json's pointer lookups: "0", or digits without a leading zero).
std::vector<PointerToken> pointer_tokens(nlohmann::json::json_pointer pointer) {
  std::vector<PointerToken> tokens;
  while (!pointer.empty()) {
    PointerToken token;
    token.key = pointer.back();
    const std::string& k = token.key;
    const bool digits =
        !k.empty() && std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && (k.size() == 1 || k[0] != '0')) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), index);
      if (ec == std::errc{} && end == k.data() + k.size()) token.index = index;
    }
    tokens.push_back(std::move(token));
    pointer.pop_back();
  }
  std::reverse(tokens.begin(), tokens.end());
  return tokens;
}

struct RawRows {
  std::vector<std::unique_ptr<Row>> rows;
  std::vector<std::unique_ptr<NotMapped>> not_mapped;
};

void read_rows(const toml::table& doc, const std::string& file, RawRows& out, Diagnostics& diag) {
  if (const toml::array* rows = doc.get_as<toml::array>("row")) {
    for (const auto& node : *rows) {
      const toml::table* r = node.as_table();
      if (!r) continue;
      auto row = std::make_unique<Row>();
      row->file = file;
      row->line = line_of(node);
      const std::string what = "[[row]] ";
      row->id = get_string(*r, "id", file, diag, what);
      // Named by its id: the key's line alone is easy to misread in a long table.
      check_keys(*r, {"id", "path", "source", "transform", "codelist", "default", "note"}, file,
                 diag, row->id.empty() ? what : "row '" + row->id + "': ");
      row->path = get_string(*r, "path", file, diag, what);
      row->source = get_string(*r, "source", file, diag, what);
      row->codelist_name = get_string(*r, "codelist", file, diag, what);
      row->note = get_string(*r, "note", file, diag, what);
      if (const toml::node* d = r->get("default")) {
        if (auto s = d->value<std::string>(); s && d->is_string())
          row->default_value = *s;
        else if (auto i = d->value<std::int64_t>(); i && d->is_integer())
          row->default_value = std::to_string(*i);
        else if (auto b = d->value<bool>(); b && d->is_boolean())
          row->default_value = *b ? "true" : "false";
        else
          diag.error(file, line_of(*d), "[[row]] default must be a string, integer or boolean");
      }
      const std::string transform = get_string(*r, "transform", file, diag, what);
      if (row->id.empty()) diag.error(file, row->line, "[[row]] needs an id");
      if (row->path.empty()) diag.error(file, row->line, "row '" + row->id + "' needs a path");
      if (const auto t = transform_named(transform.empty() ? "string" : transform)) {
        row->transform = *t;
      } else {
        diag.error(file, row->line,
                   "row '" + row->id + "': unknown transform '" + transform +
                       "' (known: string, integer, boolean, datetime, date, code, each)");
      }
      // source: "<kind>:<json pointer>" or "const:<text>".
      const auto colon = row->source.find(':');
      const std::string kind = colon == std::string::npos ? "" : row->source.substr(0, colon);
      const std::string rest = colon == std::string::npos ? "" : row->source.substr(colon + 1);
      static const std::map<std::string, SourceKind> kinds = {
          {"wsb", SourceKind::wsb},
          {"indkaldelse", SourceKind::indkaldelse},
          {"bridge", SourceKind::bridge},
          {"each", SourceKind::each},
          {"const", SourceKind::constant}};
      if (const auto it = kinds.find(kind); it != kinds.end()) {
        row->kind = it->second;
        if (row->kind == SourceKind::constant) {
          row->constant = rest;
        } else {
          try {
            row->pointer = nlohmann::json::json_pointer(rest);
            row->tokens = pointer_tokens(row->pointer);
          } catch (const nlohmann::json::exception&) {
            diag.error(file, row->line,
                       "row '" + row->id + "': source '" + row->source +
                           "' is not a JSON pointer (like /a/b/0)");
          }
        }
      } else {
        diag.error(file, row->line,
                   "row '" + row->id + "': source '" + row->source +
                       "' must start with wsb:, indkaldelse:, bridge:, each: or const:");
      }
      out.rows.push_back(std::move(row));
    }
  }
  if (const toml::array* nms = doc.get_as<toml::array>("not_mapped")) {
    for (const auto& node : *nms) {
      const toml::table* r = node.as_table();
      if (!r) continue;
      auto nm = std::make_unique<NotMapped>();
      nm->file = file;
      nm->line = line_of(node);
      check_keys(*r, {"path", "reason"}, file, diag, "[[not_mapped]] ");
      nm->path = get_string(*r, "path", file, diag, "[[not_mapped]] ");
      nm->reason = get_string(*r, "reason", file, diag, "[[not_mapped]] ");
      if (nm->reason.empty()) {
        diag.error(file, nm->line, "not_mapped '" + nm->path + "' needs a reason");
      }
      out.not_mapped.push_back(std::move(nm));
    }
  }
}

bool starts_with_path(const std::string& path, const std::string& prefix) {
  return path == prefix ||
         (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
          path[prefix.size()] == '/');
}

// Compiles t.rows and t.not_mapped (already owned by the table) against the schema.
void compile_table(CompiledTable& t, const Schema& schema,
                   const std::map<std::string, CodeList>& codelists, Diagnostics& diag) {
  const std::string& file = t.info.file;
  auto tree = schema.child_tree(t.info.ns, t.info.response, t.info.item);
  if (!tree) {
    diag.error(file, 0, tree.error().message);
    return;
  }
  t.tree = tree.value();
  std::size_t order = 0;
  std::set<std::string> bad_patterns;
  build_plan(t.root, *t.tree, "", "", true, order, t.by_path, bad_patterns);
  for (const auto& p : bad_patterns) {
    diag.error(file, 0, "the XSD pattern '" + p + "' cannot be compiled by the mapping engine");
  }

  std::set<std::string> ids;
  const Row* previous = nullptr;
  std::size_t previous_order = 0;
  std::vector<std::string> each_paths;  // paths of 'each' rows seen so far
  for (auto& row_ptr : t.rows) {
    Row& row = *row_ptr;
    const std::string name = "row '" + row.id + "' (" + row.path + ")";
    if (!row.id.empty() && !ids.insert(row.id).second) {
      diag.error(row.file, row.line, "row id '" + row.id + "' is used twice in " + file);
    }
    const auto it = t.by_path.find(row.path);
    if (it == t.by_path.end()) {
      diag.error(row.file, row.line,
                 name + ": unknown element path; " + children_hint(t, row.path));
      continue;
    }
    PlanNode& node = *it->second;
    if (node.row) {
      diag.error(row.file, row.line, name + ": the element already has row '" + node.row->id + "'");
      continue;
    }
    if (previous && node.order < previous_order) {
      diag.error(row.file, row.line,
                 name + ": out of schema order; it must come before row '" + previous->id + "' (" +
                     previous->path + ")");
    }
    previous = &row;
    previous_order = node.order;
    // Transform against the element's type.
    if (row.transform == Transform::each) {
      if (node.element->is_leaf() || !node.element->repeated()) {
        diag.error(row.file, row.line,
                   name +
                       ": transform 'each' needs a repeated complex "
                       "element (maxOccurs > 1)");
      }
      if (row.kind == SourceKind::constant) {
        diag.error(row.file, row.line, name + ": an 'each' row needs a JSON array source");
      }
      each_paths.push_back(row.path);
    } else if (!node.element->is_leaf()) {
      diag.error(row.file, row.line,
                 name +
                     ": the element is complex; rows map leaf elements (or use transform "
                     "'each' for a repeated element)");
    } else if (!transform_fits(row.transform, node.element->simple->kind)) {
      diag.error(row.file, row.line,
                 name + ": transform '" + to_string(row.transform) + "' does not fit xsd type " +
                     type_label(*node.element->simple));
    } else if (node.element->repeated()) {
      diag.error(row.file, row.line,
                 name + ": the element repeats; map its parent with transform 'each'");
    }
    if (row.kind == SourceKind::each) {
      const bool inside = std::any_of(each_paths.begin(), each_paths.end(), [&](const auto& p) {
        return p != row.path && starts_with_path(row.path, p);
      });
      if (!inside) {
        diag.error(row.file, row.line,
                   name + ": an each: source is only valid below a row with transform 'each'");
      }
    }
    // Code list.
    if (row.transform == Transform::code) {
      const auto cl = codelists.find(row.codelist_name);
      if (row.codelist_name.empty() || cl == codelists.end()) {
        diag.error(
            row.file, row.line,
            name + ": transform 'code' needs codelist = <a list in codelists/>" +
                (row.codelist_name.empty() ? "" : " ('" + row.codelist_name + "' is unknown)"));
      } else {
        row.codelist = &cl->second;
      }
    } else if (!row.codelist_name.empty()) {
      diag.error(row.file, row.line, name + ": codelist is only used with transform 'code'");
    }
    // Constants and defaults must be valid values of the element.
    if (node.element->is_leaf()) {
      for (const auto* literal : {row.kind == SourceKind::constant ? &row.constant : nullptr,
                                  row.default_value ? &*row.default_value : nullptr}) {
        if (!literal) continue;
        if (const auto bad = check_value(node, *literal)) {
          diag.error(row.file, row.line, name + ": " + *bad);
        }
      }
    }
    node.row = &row;
    t.info.rows.push_back(&row);
  }
  // Backward writes each row's value at its source pointer; a pointer inside another row's value
  // (e.g. /a and /a/b) could not hold both, so such tables are refused.
  {
    const auto each_parent = [&](const Row& r) {
      std::string best;
      for (const auto& p : each_paths) {
        if (p != r.path && starts_with_path(r.path, p) && p.size() > best.size()) best = p;
      }
      return best;
    };
    const auto inside = [](const std::string& outer, const std::string& inner) {
      return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
             inner[outer.size()] == '/';
    };
    for (const Row* a : t.info.rows) {
      if (a->kind == SourceKind::constant) continue;
      for (const Row* b : t.info.rows) {
        if (a == b || b->kind != a->kind) continue;
        if (a->kind == SourceKind::each && each_parent(*a) != each_parent(*b)) continue;
        const std::string pa = a->pointer.to_string(), pb = b->pointer.to_string();
        if (inside(pa, pb) && !(a->transform == Transform::each && b->kind == SourceKind::each)) {
          diag.error(b->file, b->line,
                     "row '" + b->id + "' (" + b->path + "): its source " + b->source +
                         " lies inside the source of row '" + a->id + "' (" + a->source +
                         "); reading an item back could not hold both");
        }
      }
    }
  }
  for (auto& nm : t.not_mapped) {
    const auto it = t.by_path.find(nm->path);
    if (it == t.by_path.end()) {
      diag.error(
          nm->file, nm->line,
          "not_mapped '" + nm->path + "': unknown element path; " + children_hint(t, nm->path));
      continue;
    }
    if (it->second->row) {
      diag.error(
          nm->file, nm->line,
          "not_mapped '" + nm->path + "': the element also has row '" + it->second->row->id + "'");
    }
    it->second->not_mapped = nm.get();
    t.info.not_mapped.push_back(nm.get());
  }

  // has_rows, bottom-up; then coverage of every leaf.
  const std::function<bool(PlanNode&)> mark = [&](PlanNode& n) {
    bool any = n.row != nullptr;
    for (auto& c : n.children) any = mark(c) || any;
    n.has_rows = any;
    return any;
  };
  mark(t.root);
  const std::function<void(PlanNode&, const NotMapped*, bool)> cover =
      [&](PlanNode& n, const NotMapped* inherited, bool parent_present) {
        const NotMapped* nm = n.not_mapped ? n.not_mapped : inherited;
        // A required element must be written whenever its parent is: the item root is always
        // written, and a container is written when it has rows.
        const bool needed = n.required && parent_present;
        if (n.element->is_leaf()) {
          LeafCoverage lc;
          lc.path = n.path;
          lc.xsd_type = type_label(*n.element->simple);
          lc.required = n.required;
          if (n.row) {
            lc.row = n.row;
            lc.coverage =
                n.row->kind == SourceKind::constant ? Coverage::defaulted : Coverage::mapped;
          } else if (nm) {
            lc.reason = nm;
            if (needed && nm == n.not_mapped) {
              diag.error(nm->file, nm->line,
                         "not_mapped '" + n.path +
                             "': the element is required, so it cannot be "
                             "left out");
            }
            lc.coverage = Coverage::not_mapped;
          } else {
            lc.coverage = Coverage::gap;
            if (needed) {
              diag.error(file, 0,
                         "required element " + n.path + " (" + n.element->declared_in +
                             ") has no row and no not_mapped reason");
            } else {
              diag.warning(
                  file, 0,
                  "gap: optional element " + n.path + " has no row and no not_mapped reason");
            }
          }
          t.info.coverage.push_back(std::move(lc));
          return;
        }
        if (n.row == nullptr && n.element->repeated() && n.has_rows && &n != &t.root) {
          diag.error(
              file, 0,
              "repeated element " + n.path + " has rows below it but no row with transform 'each'");
        }
        // Written: the item itself, a container with rows, or a required one whose parent is.
        const bool present = &n == &t.root || n.has_rows || needed;
        for (auto& c : n.children) cover(c, nm, present);
      };
  cover(t.root, nullptr, true);
}

}  // namespace

MappingSet::MappingSet() : impl_(std::make_unique<Impl>()) {}
MappingSet::~MappingSet() = default;

std::shared_ptr<MappingSet> MappingSet::load(const std::string& mappings_dir,
                                             const std::string& xsd_dir, CheckReport& report) {
  Diagnostics diag(report);
  std::shared_ptr<MappingSet> set(new MappingSet());
  std::error_code ec;
  if (!fs::is_directory(mappings_dir, ec)) {
    diag.error(mappings_dir, 0, "the mappings directory does not exist");
    return set;
  }
  // Code lists.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(mappings_dir) / "codelists", ec)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) load_codelist(f, set->codelists_, diag);

  auto schema = Schema::load_directory(xsd_dir);
  if (!schema) {
    diag.error(xsd_dir, 0, schema.error().message);
    return set;
  }
  files.clear();
  for (const auto& e : fs::directory_iterator(mappings_dir, ec)) {
    const auto name = e.path().filename().string();
    if (e.path().extension() == ".toml" && !name.starts_with("_")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) diag.error(mappings_dir, 0, "no mapping tables (*.toml) in the directory");
  for (const auto& path : files) {
    const std::string file = path.filename().string();
    auto doc = parse_toml(path, diag);
    if (!doc) continue;
    check_keys(*doc,
               {"operation", "namespace", "response", "item", "description", "include", "row",
                "not_mapped"},
               file, diag, "");
    OperationInfo info;
    info.file = file;
    info.operation = get_string(*doc, "operation", file, diag, "");
    info.ns = get_string(*doc, "namespace", file, diag, "");
    info.response = get_string(*doc, "response", file, diag, "");
    info.item = get_string(*doc, "item", file, diag, "");
    info.description = get_string(*doc, "description", file, diag, "");
    for (const char* key : {"operation", "namespace", "response", "item"}) {
      if (get_string(*doc, key, file, diag, "").empty()) {
        diag.error(file, 0, std::string("the table needs ") + key + " = \"…\"");
      }
    }
    if (info.operation.empty() || set->impl_->tables.contains(info.operation)) {
      if (!info.operation.empty()) {
        diag.error(file, 0, "operation " + info.operation + " has a table in another file too");
      }
      continue;
    }
    RawRows raw;
    if (const toml::array* includes = doc->get_as<toml::array>("include")) {
      for (const auto& inc : *includes) {
        const auto name = inc.value<std::string>();
        if (!name) {
          diag.error(file, line_of(inc), "include must list file names");
          continue;
        }
        const fs::path included = fs::path(mappings_dir) / *name;
        auto idoc = parse_toml(included, diag);
        if (!idoc) {
          if (!fs::exists(included))
            diag.error(file, line_of(inc), "included file " + *name + " does not exist");
          continue;
        }
        check_keys(*idoc, {"description", "row", "not_mapped"}, *name, diag, "");
        read_rows(*idoc, *name, raw, diag);
      }
    }
    read_rows(*doc, file, raw, diag);
    CompiledTable& table = set->impl_->tables[info.operation];
    table.info = std::move(info);
    table.rows = std::move(raw.rows);
    table.not_mapped = std::move(raw.not_mapped);
    compile_table(table, schema.value(), set->codelists_, diag);
  }
  return set;
}

}  // namespace bridge::mapping
