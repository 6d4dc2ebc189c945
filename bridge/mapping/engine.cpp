// Forward (sources → item XML) and backward (item XML → canonical JSON view) with one table.

#include "bridge/mapping/plan.h"

#include <pugixml.hpp>

#include <array>
#include <cstdint>

namespace bridge::mapping {

namespace {

Error unknown_operation(const std::string& operation) {
  return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::unknown_operation),
                    "no mapping table for operation '" + operation + "'");
}

// XML 1.0 text: escapes markup; characters XML cannot carry (C0 controls but tab, LF, CR, and
// the non-characters U+FFFE and U+FFFF) are left out and reported. Runs of ordinary characters
// are appended at once.
void append_text(std::string& out, std::string_view text, bool& dropped) {
  // 0: as it is; 1: left out; 2: escaped; 3: the lead byte of U+FFFE/U+FFFF (EF BF BE/BF).
  static constexpr auto kClass = [] {
    std::array<std::uint8_t, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = 1;
    table['\t'] = table['\n'] = 0;
    table['\r'] = table['&'] = table['<'] = table['>'] = 2;
    table[0xEF] = 3;
    return table;
  }();
  const char* run = text.data();
  const char* const end = text.data() + text.size();
  for (const char* p = run; p != end; ++p) {
    const std::uint8_t kind = kClass[static_cast<unsigned char>(*p)];
    if (kind == 0) continue;
    if (kind == 3) {
      const bool non_character = end - p >= 3 && static_cast<unsigned char>(p[1]) == 0xBF &&
                                 (static_cast<unsigned char>(p[2]) & 0xFE) == 0xBE;
      if (!non_character) continue;
      out.append(run, p);
      dropped = true;
      p += 2;
      run = p + 1;
      continue;
    }
    out.append(run, p);
    run = p + 1;
    if (kind == 1) {
      dropped = true;
      continue;
    }
    switch (*p) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:  // '\r'
        out += "&#13;";
        break;
    }
  }
  out.append(run, end);
}

struct ForwardContext {
  const Sources& sources;
  const nlohmann::json* each = nullptr;  // the current element of the innermost 'each' row
  std::vector<std::string>& warnings;
};

const nlohmann::json* source_root(const Row& row, const ForwardContext& ctx) {
  switch (row.kind) {
    case SourceKind::wsb:
      return ctx.sources.wsb;
    case SourceKind::indkaldelse:
      return ctx.sources.indkaldelse;
    case SourceKind::bridge:
      return ctx.sources.bridge;
    case SourceKind::each:
      return ctx.each;
    case SourceKind::constant:
      return nullptr;
  }
  return nullptr;
}

// The value the row's pointer names, or null when there is none: one find per object level, and
// an array element for a token that is an index within the array.
const nlohmann::json* lookup(const Row& row, const ForwardContext& ctx) {
  const nlohmann::json* value = source_root(row, ctx);
  if (value == nullptr) return nullptr;
  for (const PointerToken& token : row.tokens) {
    if (value->is_object()) {
      const auto& object = value->get_ref<const nlohmann::json::object_t&>();
      const auto it = object.find(token.key);
      if (it == object.end()) return nullptr;
      value = &it->second;
    } else if (value->is_array()) {
      const auto& array = value->get_ref<const nlohmann::json::array_t&>();
      if (token.index >= array.size()) return nullptr;
      value = &array[token.index];
    } else {
      return nullptr;
    }
  }
  return value;
}

// The text of a leaf, or nullopt when the source has no value and the row no default.
Result<std::optional<std::string>> leaf_value(const PlanNode& leaf, const ForwardContext& ctx) {
  const Row& row = *leaf.row;
  std::optional<std::string> text;
  if (row.kind == SourceKind::constant) {
    text = row.constant;
  } else if (const nlohmann::json* value = lookup(row, ctx)) {
    BRIDGE_TRY(text, apply_forward(row, *value));
  }
  if (!text && row.default_value) text = row.default_value;
  if (text) {
    if (const auto bad = check_value(leaf, *text)) {
      return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::value),
                        "row " + row.reference() + " (" + row.path + " <- " + row.source +
                            "): " + *bad + " (xsd " + leaf.element->declared_in + ")");
    }
  }
  return text;
}

// Writes the children of `node` into `out`. Returns the path of the first required child that
// has no value (the caller decides whether that fails the item or drops an optional container).
// A container is written straight into `out` and cut off again (out.resize) when it is dropped.
Result<std::optional<std::string>> emit_children(const PlanNode& node, ForwardContext& ctx,
                                                 std::string& out) {
  std::optional<std::string> missing;
  auto note_missing = [&](const PlanNode& c) {
    if (c.required && !missing) missing = c.path;
  };
  for (const PlanNode& c : node.children) {
    if (c.element->is_leaf()) {
      if (!c.row) {
        note_missing(c);
        continue;
      }
      BRIDGE_TRY(auto text, leaf_value(c, ctx));
      if (!text) {
        note_missing(c);
        continue;
      }
      out += c.open;
      bool dropped = false;
      append_text(out, *text, dropped);
      if (dropped) {
        ctx.warnings.push_back(c.path + ": control characters XML cannot carry were left out");
      }
      out += c.close;
      continue;
    }
    if (c.row && c.row->transform == Transform::each) {
      const nlohmann::json* array = lookup(*c.row, ctx);
      int written = 0;
      if (array && array->is_array()) {
        const nlohmann::json* outer = ctx.each;
        for (std::size_t i = 0; i < array->size(); ++i) {
          ctx.each = &(*array)[i];
          const std::size_t mark = out.size();
          out += c.open;
          BRIDGE_TRY(auto part_missing, emit_children(c, ctx, out));
          if (part_missing) {
            out.resize(mark);
            ctx.warnings.push_back(c.path + "[" + std::to_string(i + 1) +
                                   "] left out: " + *part_missing + " has no value");
            continue;
          }
          out += c.close;
          ++written;
        }
        ctx.each = outer;
      } else if (array && !array->is_null()) {
        return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::value),
                          "row " + c.row->reference() + " (" + c.path + " <- " + c.row->source +
                              "): expected an array, found " + std::string(array->type_name()));
      }
      if (written < c.element->min_occurs) note_missing(c);
      continue;
    }
    if (!c.has_rows) {
      note_missing(c);
      continue;
    }
    const std::size_t mark = out.size();
    out += c.open;
    const std::size_t content = out.size();
    BRIDGE_TRY(auto inner_missing, emit_children(c, ctx, out));
    const bool empty = out.size() == content;
    if (inner_missing) {
      out.resize(mark);
      if (c.required) {
        if (!missing) missing = inner_missing;
        continue;
      }
      if (!empty) {
        ctx.warnings.push_back(c.path + " left out: its required element " + *inner_missing +
                               " has no value");
      }
      continue;
    }
    if (empty && !c.required) {
      out.resize(mark);
      continue;
    }
    out += c.close;
  }
  return missing;
}

// ---- backward --------------------------------------------------------------------------------

std::string_view local_part(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string namespace_of(pugi::xml_node node) {
  const std::string_view qname = node.name();
  const auto colon = qname.find(':');
  const std::string attribute =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(qname.substr(0, colon));
  for (auto n = node; n; n = n.parent()) {
    if (auto a = n.attribute(attribute.c_str())) return a.value();
  }
  return {};
}

const char* view_key(SourceKind kind) { return to_string(kind); }

struct BackwardContext {
  BackwardResult& result;
  nlohmann::json* each = nullptr;  // the object being filled for the current 'each' element
};

void read_children(const PlanNode& plan, pugi::xml_node xml, const std::string& xml_path,
                   BackwardContext& ctx) {
  std::map<const PlanNode*, int> seen;
  for (pugi::xml_node child : xml.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = local_part(child.name());
    const std::string ns = namespace_of(child);
    const PlanNode* match = nullptr;
    for (const auto& c : plan.children) {
      if (c.element->name == name && c.element->ns == ns) {
        match = &c;
        break;
      }
    }
    const std::string path = (xml_path.empty() ? "" : xml_path + "/") + std::string(name);
    if (!match) {
      ctx.result.problems.push_back(path + ": element {" + ns + "}" + std::string(name) +
                                    " is not in the schema here");
      continue;
    }
    const int index = ++seen[match];
    const std::string indexed =
        match->element->repeated() ? path + "[" + std::to_string(index) + "]" : path;
    if (match->element->is_leaf()) {
      if (!match->row) {
        ctx.result.fields.push_back(Field{indexed, nullptr, child.text().get()});
        continue;
      }
      const Row& row = *match->row;
      const std::string text = child.text().get();
      ctx.result.fields.push_back(Field{indexed, &row, text});
      if (row.kind == SourceKind::constant) {
        if (text != row.constant) {
          ctx.result.problems.push_back(indexed + ": row " + row.reference() +
                                        " writes the constant '" + row.constant + "', found '" +
                                        text + "'");
        }
        continue;
      }
      std::string problem;
      nlohmann::json value = apply_backward(row, text, problem);
      if (!problem.empty()) ctx.result.problems.push_back(indexed + ": " + problem);
      if (row.kind == SourceKind::each) {
        if (ctx.each) (*ctx.each)[row.pointer] = std::move(value);
      } else {
        ctx.result.view[view_key(row.kind)][row.pointer] = std::move(value);
      }
      continue;
    }
    if (match->row && match->row->transform == Transform::each) {
      const Row& row = *match->row;
      nlohmann::json element = nlohmann::json::object();
      nlohmann::json* outer = ctx.each;
      ctx.each = &element;
      read_children(*match, child, indexed, ctx);
      ctx.each = outer;
      nlohmann::json* target = nullptr;
      if (row.kind == SourceKind::each) {
        if (outer) target = &(*outer)[row.pointer];
      } else {
        target = &ctx.result.view[view_key(row.kind)][row.pointer];
      }
      if (target) {
        if (!target->is_array()) *target = nlohmann::json::array();
        target->push_back(std::move(element));
      }
      continue;
    }
    read_children(*match, child, indexed, ctx);
  }
}

std::string strip_indexes(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  bool in_index = false;
  for (char c : path) {
    if (c == '[')
      in_index = true;
    else if (c == ']')
      in_index = false;
    else if (!in_index)
      out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> MappingSet::operations() const {
  std::vector<std::string> out;
  for (const auto& [name, table] : impl_->tables) out.push_back(name);
  return out;
}

const OperationInfo* MappingSet::info(const std::string& operation) const {
  const auto it = impl_->tables.find(operation);
  return it == impl_->tables.end() ? nullptr : &it->second.info;
}

Result<ForwardResult> MappingSet::forward(const std::string& operation,
                                          const Sources& sources) const {
  const auto it = impl_->tables.find(operation);
  if (it == impl_->tables.end()) return unknown_operation(operation);
  ForwardResult result;
  result.item_xml.reserve(6144);  // an item is about 2 to 5 KB
  ForwardContext ctx{sources, nullptr, result.warnings};
  BRIDGE_TRY(auto missing, emit_children(it->second.root, ctx, result.item_xml));
  if (missing) {
    const PlanNode* node = it->second.by_path.at(*missing);
    std::string why = "has no row";
    if (node->row)
      why = "has no value: its source " + node->row->source + " is empty (row " +
            node->row->reference() + ")";
    return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::value),
                      operation + ": required element " + *missing + " " + why);
  }
  return result;
}

Result<BackwardResult> MappingSet::backward(const std::string& operation,
                                            const std::string& item_xml) const {
  const auto it = impl_->tables.find(operation);
  if (it == impl_->tables.end()) return unknown_operation(operation);
  pugi::xml_document doc;
  // parse_ws_pcdata_single: a value of only blanks (xsd:string preserves them) is the leaf's
  // only child and must be read back, not dropped as formatting.
  const auto parsed =
      doc.load_buffer(item_xml.data(), item_xml.size(),
                      pugi::parse_default | pugi::parse_fragment | pugi::parse_ws_pcdata_single);
  if (!parsed) {
    return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::value),
                      operation + ": the item is not well-formed XML at offset " +
                          std::to_string(parsed.offset) + ": " + parsed.description());
  }
  BackwardResult result;
  result.view = nlohmann::json::object();
  BackwardContext ctx{result, nullptr};
  read_children(it->second.root, doc, "", ctx);
  return result;
}

const Row* MappingSet::row_for_path(const std::string& operation,
                                    const std::string& xml_path) const {
  const auto it = impl_->tables.find(operation);
  if (it == impl_->tables.end()) return nullptr;
  const auto node = it->second.by_path.find(strip_indexes(xml_path));
  return node == it->second.by_path.end() ? nullptr : node->second->row;
}

Result<std::shared_ptr<MappingSet>> MappingSet::load_checked(const std::string& mappings_dir,
                                                             const std::string& xsd_dir) {
  CheckReport report;
  auto set = load(mappings_dir, xsd_dir, report);
  if (!report.ok()) {
    std::string message = "the mapping tables in " + mappings_dir + " have " +
                          std::to_string(report.errors.size()) + " error(s):";
    for (const auto& e : report.errors) message += "\n  " + e;
    return make_error(ErrorDomain::mapping, static_cast<int>(MappingErrc::table), message);
  }
  return set;
}

}  // namespace bridge::mapping
