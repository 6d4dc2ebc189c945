#include "bridge/sim/legacy_template.h"

#include "bridge/sim/json_fields.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace bridge::sim {

struct TemplateSet::Node {
  enum class Kind { text, value, section, inverted, partial };
  Kind kind = Kind::text;
  std::string text;   // literal text, the variable, or the partial's name
  std::string table;  // value: the code table
  int line = 0;
  std::vector<Node> children;
};

namespace {

using Node = TemplateSet::Node;

Error template_error(const std::string& message) {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::legacy_templates), message);
}

Error render_error(const std::string& message) {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::legacy_plan), message);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Literal text without the whitespace runs that contain a line break (template indentation).
std::string strip_layout(std::string_view text, bool at_start, bool at_end) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_space(text[i])) {
      out += text[i++];
      continue;
    }
    const std::size_t start = i;
    bool line_break = false;
    while (i < text.size() && is_space(text[i])) line_break |= text[i++] == '\n';
    const bool edge = (start == 0 && at_start) || (i == text.size() && at_end);
    if (!line_break && !edge) out.append(text.substr(start, i - start));
  }
  return out;
}

bool valid_variable(std::string_view v) {
  if (v == ".") return true;
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  char previous = '.';
  for (char c : v) {
    const bool name_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!name_char && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// Parses one template file into nodes.
Result<std::vector<Node>> parse_template(std::string_view text, const std::string& file) {
  std::vector<std::vector<Node>> stack(1);
  std::vector<Node> open;  // open sections, innermost last
  std::size_t pos = 0;
  int line = 1;
  const auto where = [&](int at) { return file + ":" + std::to_string(at) + ": "; };
  while (pos <= text.size()) {
    const std::size_t tag = text.find("{{", pos);
    const std::string_view literal =
        text.substr(pos, tag == std::string_view::npos ? std::string_view::npos : tag - pos);
    const std::string kept = strip_layout(literal, pos == 0, tag == std::string_view::npos);
    if (!kept.empty()) stack.back().push_back(Node{Node::Kind::text, kept, "", line, {}});
    line += static_cast<int>(std::count(literal.begin(), literal.end(), '\n'));
    if (tag == std::string_view::npos) break;
    const std::size_t close = text.find("}}", tag + 2);
    if (close == std::string_view::npos) return template_error(where(line) + "'{{' without '}}'");
    const std::string_view body = text.substr(tag + 2, close - tag - 2);
    const int tag_line = line;
    line += static_cast<int>(std::count(body.begin(), body.end(), '\n'));
    pos = close + 2;
    if (body.empty()) return template_error(where(tag_line) + "empty tag '{{}}'");
    const char sigil = body.front();
    if (sigil == '!') continue;
    const std::string name =
        trim(sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' ? body.substr(1) : body);
    if (sigil == '>') {
      if (name.empty() || name.find_first_of("/\\. ") != std::string::npos) {
        return template_error(where(tag_line) + "bad partial name '" + name + "'");
      }
      stack.back().push_back(Node{Node::Kind::partial, name, "", tag_line, {}});
      continue;
    }
    if (sigil == '#' || sigil == '^') {
      if (!valid_variable(name)) {
        return template_error(where(tag_line) + "bad section name '" + name + "'");
      }
      open.push_back(
          Node{sigil == '#' ? Node::Kind::section : Node::Kind::inverted, name, "", tag_line, {}});
      stack.emplace_back();
      continue;
    }
    if (sigil == '/') {
      if (open.empty()) {
        return template_error(where(tag_line) + "{{/" + name + "}} closes no section");
      }
      if (open.back().text != name) {
        return template_error(where(tag_line) + "{{/" + name + "}} closes {{#" + open.back().text +
                              "}} of line " + std::to_string(open.back().line));
      }
      Node section = std::move(open.back());
      open.pop_back();
      section.children = std::move(stack.back());
      stack.pop_back();
      stack.back().push_back(std::move(section));
      continue;
    }
    std::string variable = name;
    std::string table;
    if (const auto bar = name.find('|'); bar != std::string::npos) {
      variable = trim(std::string_view(name).substr(0, bar));
      table = trim(std::string_view(name).substr(bar + 1));
      if (table.empty()) return template_error(where(tag_line) + "empty code table after '|'");
    }
    if (!valid_variable(variable)) {
      return template_error(where(tag_line) + "bad value name '" + variable + "'");
    }
    stack.back().push_back(Node{Node::Kind::value, variable, table, tag_line, {}});
  }
  if (!open.empty()) {
    return template_error(where(open.back().line) + "{{#" + open.back().text +
                          "}} is never closed");
  }
  return std::move(stack.front());
}

// Code tables: {"table": {"description": "…", "codes": {"code": legacy value, …}}, …}.
Result<std::map<std::string, CodeTable>> parse_codes(std::string_view text,
                                                     const std::string& file) {
  auto parsed = parse_json_text(text, file);
  if (!parsed) return template_error(parsed.error().message);
  const Json& doc = parsed.value();
  if (!doc.is_object()) return template_error(file + ": must be an object of code tables");
  std::map<std::string, CodeTable> out;
  for (const auto& [name, table] : doc.items()) {
    const std::string at = file + ": " + pointer_to("", name);
    if (!table.is_object() || !table.contains("codes") || !table["codes"].is_object()) {
      return template_error(at + ": a code table is {\"description\": …, \"codes\": {…}}");
    }
    CodeTable t;
    t.name = name;
    for (const auto& [code, legacy] : table["codes"].items()) {
      if (legacy.is_string()) {
        t.codes.emplace_back(code, legacy.get<std::string>());
      } else if (legacy.is_number_integer()) {
        t.codes.emplace_back(code, legacy.dump());
      } else {
        return template_error(at + "/codes/" + code + ": a legacy value is a string or integer");
      }
    }
    if (t.codes.empty()) return template_error(at + ": the table has no codes");
    out.emplace(name, std::move(t));
  }
  return out;
}

bool no_value(const Json* v) {
  return v == nullptr || v->is_null() ||
         (v->is_string() && v->get_ref<const std::string&>().empty()) ||
         (v->is_array() && v->empty());
}

// Scalar JSON as element text.
std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) {
      return std::to_string(static_cast<std::int64_t>(d));
    }
    return v.dump();
  }
  return std::nullopt;
}

struct Renderer {
  const std::map<std::string, std::vector<Node>>& templates;
  const std::map<std::string, CodeTable>& tables;
  std::vector<const Json*> contexts;
  Rendered out;
  std::vector<std::pair<std::size_t, std::size_t>> optional_spans;
  int depth = 0;

  // A name is looked up in the current context, else in the top-level model (never in the
  // contexts between: a repeated element must not take an absent member from an outer one).
  // A name of digits picks an array element.
  const Json* lookup(const std::string& variable) const {
    if (variable == ".") return contexts.back();
    std::vector<std::string> names;
    std::string_view rest = variable;
    while (true) {
      const auto dot = rest.find('.');
      names.emplace_back(rest.substr(0, dot));
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    const auto descend = [](const Json* v, const std::string& name) -> const Json* {
      if (v->is_object()) {
        const auto it = v->find(name);
        return it == v->end() ? nullptr : &*it;
      }
      if (v->is_array() && !name.empty() &&
          name.find_first_not_of("0123456789") == std::string::npos && name.size() < 9) {
        const std::size_t i = std::stoul(name);
        return i < v->size() ? &(*v)[i] : nullptr;
      }
      return nullptr;
    };
    const Json* v = descend(contexts.back(), names.front());
    if (!v && contexts.size() > 1) v = descend(contexts.front(), names.front());
    for (std::size_t i = 1; v && i < names.size(); ++i) v = descend(v, names[i]);
    return v;
  }

  Result<void> run(const std::vector<Node>& nodes, const std::string& file) {
    for (const Node& n : nodes) {
      const std::string at = file + ":" + std::to_string(n.line) + ": ";
      switch (n.kind) {
        case Node::Kind::text:
          out.xml += n.text;
          break;
        case Node::Kind::value: {
          const Json* v = lookup(n.text);
          if (no_value(v)) {
            return render_error(at + "{{" + n.text +
                                "}} has no value (an optional element belongs in a {{#…}} "
                                "section)");
          }
          auto text = scalar_text(*v);
          if (!text) {
            return render_error(at + "{{" + n.text + "}} is " + json_type_name(*v) +
                                ", not a value");
          }
          if (!n.table.empty()) {
            if (const std::string* legacy = tables.at(n.table).find(*text)) text = *legacy;
          }
          RenderedValue rv{n.text, n.table, *text, out.xml.size(), 0, ""};
          out.xml += xml_escape(*text);
          rv.end = out.xml.size();
          out.values.push_back(std::move(rv));
          break;
        }
        case Node::Kind::section:
        case Node::Kind::inverted: {
          const Json* v = lookup(n.text);
          const bool render = no_value(v) == (n.kind == Node::Kind::inverted);
          if (!render) break;
          if (n.kind == Node::Kind::section && v->is_array()) {
            for (const Json& element : *v) {
              contexts.push_back(&element);
              BRIDGE_TRY(run(n.children, file));
              contexts.pop_back();
            }
            break;
          }
          const std::size_t begin = out.xml.size();
          if (n.kind == Node::Kind::section) contexts.push_back(v);
          BRIDGE_TRY(run(n.children, file));
          if (n.kind == Node::Kind::section) contexts.pop_back();
          optional_spans.emplace_back(begin, out.xml.size());
          break;
        }
        case Node::Kind::partial: {
          if (++depth > 8) return render_error(at + "partials nested more than 8 deep");
          BRIDGE_TRY(run(templates.at(n.text), n.text + ".xml"));
          --depth;
          break;
        }
      }
    }
    return ok();
  }
};

// Finds the elements of the rendered text (tags only: values are escaped and have none).
Result<void> index_elements(Rendered& r, const std::string& name) {
  const std::string& x = r.xml;
  std::vector<std::size_t> open;  // indexes into r.elements
  const auto local = [](std::string_view qname) {
    const auto colon = qname.find(':');
    return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
  };
  std::size_t i = 0;
  while ((i = x.find('<', i)) != std::string::npos) {
    if (x.compare(i, 4, "<!--") == 0) {
      const auto e = x.find("-->", i);
      if (e == std::string::npos) return render_error(name + ": unterminated comment");
      i = e + 3;
      continue;
    }
    if (x.compare(i, 2, "<?") == 0 || x.compare(i, 2, "<!") == 0) {
      i = x.find('>', i);
      if (i == std::string::npos) break;
      continue;
    }
    const bool closing = x.compare(i, 2, "</") == 0;
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_begin = j;
    while (j < x.size() && !is_space(x[j]) && x[j] != '>' && x[j] != '/') ++j;
    const std::string qname = x.substr(name_begin, j - name_begin);
    char quote = 0;
    while (j < x.size() && (quote || x[j] != '>')) {
      if (quote && x[j] == quote) {
        quote = 0;
      } else if (!quote && (x[j] == '"' || x[j] == '\'')) {
        quote = x[j];
      }
      ++j;
    }
    if (j == x.size() || qname.empty()) {
      return render_error(name + ": the output is not well-formed XML at offset " +
                          std::to_string(i));
    }
    const bool self_closing = !closing && x[j - 1] == '/';
    if (closing) {
      if (open.empty() || local(qname) != local(r.elements[open.back()].path.substr(
                                              r.elements[open.back()].path.rfind('/') + 1))) {
        return render_error(name + ": </" + qname + "> at offset " + std::to_string(i) +
                            " closes no open element of that name");
      }
      RenderedElement& e = r.elements[open.back()];
      e.inner_end = i;
      e.end = j + 1;
      open.pop_back();
    } else {
      if (!open.empty()) r.elements[open.back()].leaf = false;
      RenderedElement e;
      e.path = open.empty() ? local(qname) : r.elements[open.back()].path + "/" + local(qname);
      e.begin = i;
      e.inner_begin = j + 1;
      if (self_closing) {
        e.inner_end = e.inner_begin;
        e.end = j + 1;
        r.elements.push_back(std::move(e));
      } else {
        r.elements.push_back(std::move(e));
        open.push_back(r.elements.size() - 1);
      }
    }
    i = j + 1;
  }
  if (!open.empty()) {
    return render_error(name + ": <" + r.elements[open.back()].path + "> is never closed");
  }
  for (RenderedValue& v : r.values) {
    for (const RenderedElement& e : r.elements) {  // the last containing one is the innermost
      if (e.inner_begin <= v.begin && v.end <= e.inner_end) v.path = e.path;
    }
  }
  return ok();
}

}  // namespace

const std::string* CodeTable::find(const std::string& code) const {
  for (const auto& [c, legacy] : codes) {
    if (c == code) return &legacy;
  }
  return nullptr;
}

TemplateSet::TemplateSet() = default;
TemplateSet::TemplateSet(TemplateSet&&) noexcept = default;
TemplateSet& TemplateSet::operator=(TemplateSet&&) noexcept = default;
TemplateSet::~TemplateSet() = default;

Result<TemplateSet> TemplateSet::load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return template_error("legacy templates: " + dir + " is not a directory");
  }
  std::map<std::string, std::string> files;
  std::string codes;
  bool have_codes = false;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    const bool is_template = entry.path().extension() == ".xml";
    if (!is_template && file != "codes.json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return template_error(entry.path().string() + ": cannot read");
    if (is_template) {
      files[file] = text.str();
    } else {
      codes = text.str();
      have_codes = true;
    }
  }
  if (ec) return template_error("legacy templates: " + dir + ": " + ec.message());
  if (!have_codes) codes = "{}";
  return parse(files, codes, dir);
}

Result<TemplateSet> TemplateSet::parse(const std::map<std::string, std::string>& files,
                                       std::string_view codes_json, const std::string& dir) {
  TemplateSet set;
  set.dir_ = dir;
  BRIDGE_TRY(set.tables_, parse_codes(codes_json, dir + "/codes.json"));
  for (const auto& [file, text] : files) {
    const std::string name = file.substr(0, file.rfind(".xml"));
    BRIDGE_TRY(auto nodes, parse_template(text, dir + "/" + file));
    set.templates_.emplace(name, std::move(nodes));
  }
  // Every partial and code table a template names must exist: found at start, not mid-run.
  const auto check = [&](const auto& self, const std::vector<Node>& nodes,
                         const std::string& file) -> Result<void> {
    for (const Node& n : nodes) {
      const std::string at = dir + "/" + file + ":" + std::to_string(n.line) + ": ";
      if (n.kind == Node::Kind::partial && !set.templates_.count(n.text)) {
        return template_error(at + "no partial " + n.text + ".xml");
      }
      if (n.kind == Node::Kind::value && !n.table.empty() && !set.tables_.count(n.table)) {
        return template_error(at + "no code table '" + n.table + "' in codes.json");
      }
      BRIDGE_TRY(self(self, n.children, file));
    }
    return ok();
  };
  for (const auto& [name, nodes] : set.templates_) BRIDGE_TRY(check(check, nodes, name + ".xml"));
  return set;
}

bool TemplateSet::has(const std::string& name) const { return templates_.count(name) > 0; }

const CodeTable* TemplateSet::table(const std::string& name) const {
  const auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

Result<Rendered> TemplateSet::render(const std::string& name, const Json& context) const {
  const auto it = templates_.find(name);
  if (it == templates_.end()) return render_error(dir_ + ": no template " + name + ".xml");
  Renderer r{templates_, tables_, {&context}, {}, {}, 0};
  BRIDGE_TRY(r.run(it->second, name + ".xml"));
  BRIDGE_TRY(index_elements(r.out, name + ".xml"));
  for (RenderedElement& e : r.out.elements) {
    for (const auto& [begin, end] : r.optional_spans) {
      if (e.begin == begin && e.end == end) e.optional = true;
    }
  }
  return std::move(r.out);
}

}  // namespace bridge::sim
