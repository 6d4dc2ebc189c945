#include "bridge/mapping/xsd.h"

#include <pugixml.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace bridge::mapping {

namespace {

constexpr std::string_view kXsdNs = "http://www.w3.org/2001/XMLSchema";
constexpr int kMaxDepth = 32;  // element nesting; deeper means a recursive type

Error schema_error(std::string message) {
  return make_error(ErrorDomain::mapping, 1, std::move(message));
}

std::string_view local_name(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view prefix_of(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// The namespace URI bound to `prefix` in the scope of `node` ("" prefix: the default namespace).
std::string resolve_prefix(pugi::xml_node node, std::string_view prefix) {
  const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (auto n = node; n; n = n.parent()) {
    if (auto a = n.attribute(attribute.c_str())) return a.value();
  }
  return {};
}

struct QName {
  std::string ns;
  std::string name;
  bool operator<(const QName& o) const { return std::tie(ns, name) < std::tie(o.ns, o.name); }
};

std::string describe(const QName& q) { return "{" + q.ns + "}" + q.name; }

// Whether `node` is the XSD construct `name` (any prefix bound to the XSD namespace).
bool is_xsd(pugi::xml_node node, std::string_view name) {
  if (node.type() != pugi::node_element) return false;
  const std::string_view qname = node.name();
  return local_name(qname) == name && resolve_prefix(node, prefix_of(qname)) == kXsdNs;
}

std::optional<ValueKind> builtin_kind(std::string_view name) {
  static const std::map<std::string_view, ValueKind> kinds = {
      {"string", ValueKind::string},
      {"normalizedString", ValueKind::string},
      {"token", ValueKind::string},
      {"int", ValueKind::integer},
      {"integer", ValueKind::integer},
      {"long", ValueKind::integer},
      {"short", ValueKind::integer},
      {"byte", ValueKind::integer},
      {"nonNegativeInteger", ValueKind::integer},
      {"positiveInteger", ValueKind::integer},
      {"unsignedInt", ValueKind::integer},
      {"unsignedShort", ValueKind::integer},
      {"boolean", ValueKind::boolean},
      {"dateTime", ValueKind::date_time},
      {"date", ValueKind::date},
      {"decimal", ValueKind::decimal},
      {"double", ValueKind::decimal},
      {"float", ValueKind::decimal},
      {"anyURI", ValueKind::any_uri},
  };
  const auto it = kinds.find(name);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> to_int(const char* text) {
  try {
    return std::stoll(text);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

const char* to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::string:
      return "string";
    case ValueKind::integer:
      return "integer";
    case ValueKind::boolean:
      return "boolean";
    case ValueKind::date_time:
      return "dateTime";
    case ValueKind::date:
      return "date";
    case ValueKind::decimal:
      return "decimal";
    case ValueKind::any_uri:
      return "anyURI";
  }
  return "?";
}

struct Schema::Impl {
  struct Document {
    std::string file;  // name within the directory, for messages
    std::string source;
    pugi::xml_document xml;
    std::string target_ns;
  };
  struct Decl {
    const Document* doc = nullptr;
    pugi::xml_node node;
  };

  std::vector<std::unique_ptr<Document>> documents;
  std::map<QName, Decl> elements, complex_types, simple_types;

  static std::string where(const Document& doc, pugi::xml_node node) {
    const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, node.offset_debug()));
    const auto end =
        doc.source.begin() + static_cast<std::ptrdiff_t>(std::min(offset, doc.source.size()));
    return doc.file + ":" + std::to_string(1 + std::count(doc.source.begin(), end, '\n'));
  }

  QName qname_in(pugi::xml_node scope, std::string_view qname) const {
    return QName{resolve_prefix(scope, prefix_of(qname)), std::string(local_name(qname))};
  }

  Result<SimpleType> simple_from(const Document& doc, pugi::xml_node scope, std::string_view qname,
                                 int depth) const {
    const QName type = qname_in(scope, qname);
    if (type.ns == kXsdNs) {
      const auto kind = builtin_kind(type.name);
      if (!kind) {
        return schema_error(where(doc, scope) + ": built-in type xsd:" + type.name +
                            " is not supported by the mapping engine");
      }
      SimpleType st;
      st.kind = *kind;
      st.builtin = type.name;
      // The value spaces of the bounded built-in integer types, so forward refuses what the
      // XSD would (a restriction's own facets replace these).
      static const std::map<std::string_view, std::pair<std::int64_t, std::int64_t>> bounds = {
          {"int", {INT32_MIN, INT32_MAX}},    {"short", {INT16_MIN, INT16_MAX}},
          {"byte", {INT8_MIN, INT8_MAX}},     {"unsignedInt", {0, UINT32_MAX}},
          {"unsignedShort", {0, UINT16_MAX}}, {"nonNegativeInteger", {0, INT64_MAX}},
          {"positiveInteger", {1, INT64_MAX}}};
      if (const auto b = bounds.find(type.name); b != bounds.end()) {
        st.min_inclusive = b->second.first;
        st.max_inclusive = b->second.second;
      }
      return st;
    }
    const auto it = simple_types.find(type);
    if (it == simple_types.end()) {
      return schema_error(where(doc, scope) + ": simple type " + describe(type) +
                          " is not declared in any schema of the directory");
    }
    BRIDGE_TRY(auto st, restriction(*it->second.doc, it->second.node, depth + 1));
    if (st.name.empty()) st.name = type.name;
    return st;
  }

  // An xsd:simpleType node: a restriction of a built-in or of another simple type.
  Result<SimpleType> restriction(const Document& doc, pugi::xml_node simple, int depth) const {
    if (depth > kMaxDepth) return schema_error(where(doc, simple) + ": simple type chain too deep");
    pugi::xml_node restriction;
    for (auto child : simple.children()) {
      if (is_xsd(child, "restriction"))
        restriction = child;
      else if (is_xsd(child, "list") || is_xsd(child, "union")) {
        return schema_error(where(doc, child) + ": xsd:" + std::string(local_name(child.name())) +
                            " is not supported by the mapping engine");
      }
    }
    if (!restriction) return schema_error(where(doc, simple) + ": simple type without restriction");
    BRIDGE_TRY(auto st,
               simple_from(doc, restriction, restriction.attribute("base").value(), depth));
    st.name.clear();
    for (auto facet : restriction.children()) {
      const char* value = facet.attribute("value").value();
      if (is_xsd(facet, "pattern"))
        st.patterns.emplace_back(value);
      else if (is_xsd(facet, "minLength"))
        st.min_length = to_int(value);
      else if (is_xsd(facet, "maxLength"))
        st.max_length = to_int(value);
      else if (is_xsd(facet, "length"))
        st.min_length = st.max_length = to_int(value);
      else if (is_xsd(facet, "minInclusive"))
        st.min_inclusive = to_int(value);
      else if (is_xsd(facet, "maxInclusive"))
        st.max_inclusive = to_int(value);
    }
    return st;
  }

  // The content of an xsd:complexType node, appended to `out` in document order.
  Result<void> complex_content(const Document& doc, pugi::xml_node complex,
                               std::vector<std::shared_ptr<ElementNode>>& out, int depth) const {
    if (depth > kMaxDepth) {
      return schema_error(where(doc, complex) + ": types nest deeper than " +
                          std::to_string(kMaxDepth) + " levels (recursive type?)");
    }
    for (auto child : complex.children()) {
      if (child.type() != pugi::node_element || is_xsd(child, "annotation") ||
          is_xsd(child, "attribute") || is_xsd(child, "anyAttribute")) {
        continue;
      }
      if (is_xsd(child, "sequence")) {
        BRIDGE_TRY(sequence(doc, child, out, depth));
      } else if (is_xsd(child, "complexContent")) {
        pugi::xml_node extension;
        for (auto c : child.children()) {
          if (is_xsd(c, "extension"))
            extension = c;
          else if (is_xsd(c, "restriction")) {
            return schema_error(where(doc, c) +
                                ": complexContent restriction is not supported by the mapping "
                                "engine");
          }
        }
        if (!extension)
          return schema_error(where(doc, child) + ": complexContent without extension");
        const QName base = qname_in(extension, extension.attribute("base").value());
        const auto it = complex_types.find(base);
        if (it == complex_types.end()) {
          return schema_error(where(doc, extension) + ": base type " + describe(base) +
                              " is not declared");
        }
        BRIDGE_TRY(complex_content(*it->second.doc, it->second.node, out, depth + 1));
        BRIDGE_TRY(complex_content(doc, extension, out, depth + 1));
      } else {
        return schema_error(where(doc, child) + ": xsd:" + std::string(local_name(child.name())) +
                            " is not supported by the mapping engine (only xsd:sequence and "
                            "complexContent extension)");
      }
    }
    return ok();
  }

  Result<void> sequence(const Document& doc, pugi::xml_node seq,
                        std::vector<std::shared_ptr<ElementNode>>& out, int depth) const {
    for (auto child : seq.children()) {
      if (child.type() != pugi::node_element || is_xsd(child, "annotation")) continue;
      if (is_xsd(child, "element")) {
        BRIDGE_TRY(auto node, element(doc, child, depth + 1));
        out.push_back(std::move(node));
      } else if (is_xsd(child, "sequence")) {
        BRIDGE_TRY(sequence(doc, child, out, depth));
      } else {
        return schema_error(where(doc, child) + ": xsd:" + std::string(local_name(child.name())) +
                            " inside a sequence is not supported by the mapping engine");
      }
    }
    return ok();
  }

  // An xsd:element node (local or global, possibly a ref) as a resolved tree.
  Result<std::shared_ptr<ElementNode>> element(const Document& doc, pugi::xml_node decl,
                                               int depth) const {
    if (depth > kMaxDepth) {
      return schema_error(where(doc, decl) + ": elements nest deeper than " +
                          std::to_string(kMaxDepth) + " levels (recursive type?)");
    }
    auto node = std::make_shared<ElementNode>();
    node->declared_in = where(doc, decl);
    if (auto a = decl.attribute("minOccurs"))
      node->min_occurs = static_cast<int>(to_int(a.value()).value_or(1));
    if (auto a = decl.attribute("maxOccurs")) {
      node->max_occurs = std::string_view(a.value()) == "unbounded"
                             ? -1
                             : static_cast<int>(to_int(a.value()).value_or(1));
    }
    const Document* type_doc = &doc;
    pugi::xml_node target = decl;
    if (auto ref = decl.attribute("ref")) {
      const QName q = qname_in(decl, ref.value());
      const auto it = elements.find(q);
      if (it == elements.end()) {
        return schema_error(node->declared_in + ": element ref " + describe(q) +
                            " is not declared");
      }
      type_doc = it->second.doc;
      target = it->second.node;
    }
    node->name = target.attribute("name").value();
    node->ns = type_doc->target_ns;
    if (auto type = target.attribute("type")) {
      const QName q = qname_in(target, type.value());
      if (const auto it = complex_types.find(q); it != complex_types.end()) {
        BRIDGE_TRY(complex_content(*it->second.doc, it->second.node, node->children, depth + 1));
      } else {
        BRIDGE_TRY(auto st, simple_from(*type_doc, target, type.value(), depth + 1));
        node->simple = std::move(st);
      }
      return node;
    }
    for (auto child : target.children()) {
      if (is_xsd(child, "complexType")) {
        BRIDGE_TRY(complex_content(*type_doc, child, node->children, depth + 1));
        return node;
      }
      if (is_xsd(child, "simpleType")) {
        BRIDGE_TRY(auto st, restriction(*type_doc, child, depth + 1));
        node->simple = std::move(st);
        return node;
      }
    }
    // No type at all: xsd:anyType. Treat as a string leaf.
    node->simple = SimpleType{};
    node->simple->builtin = "anyType";
    return node;
  }
};

Result<Schema> Schema::load_directory(const std::string& directory) {
  namespace fs = std::filesystem;
  auto impl = std::make_shared<Impl>();
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    if (entry.path().extension() == ".xsd") files.push_back(entry.path());
  }
  if (ec) return schema_error(directory + ": cannot read the schema directory: " + ec.message());
  if (files.empty()) return schema_error(directory + ": no .xsd files in the schema directory");
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    auto doc = std::make_unique<Impl::Document>();
    doc->file = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    doc->source = text.str();
    const auto parsed = doc->xml.load_buffer(doc->source.data(), doc->source.size());
    if (!parsed) {
      return schema_error(path.string() + ": not well-formed XML at offset " +
                          std::to_string(parsed.offset) + ": " + parsed.description());
    }
    const auto root = doc->xml.document_element();
    if (!is_xsd(root, "schema")) return schema_error(path.string() + ": not an xsd:schema");
    doc->target_ns = root.attribute("targetNamespace").value();
    for (auto child : root.children()) {
      const Impl::Decl decl{doc.get(), child};
      const QName q{doc->target_ns, child.attribute("name").value()};
      std::map<QName, Impl::Decl>* index = nullptr;
      if (is_xsd(child, "element"))
        index = &impl->elements;
      else if (is_xsd(child, "complexType"))
        index = &impl->complex_types;
      else if (is_xsd(child, "simpleType"))
        index = &impl->simple_types;
      if (index == nullptr) continue;
      if (!index->emplace(q, decl).second) {
        return schema_error(Impl::where(*doc, child) + ": " + describe(q) +
                            " is declared twice in the schema directory");
      }
    }
    impl->documents.push_back(std::move(doc));
  }
  Schema schema;
  schema.impl_ = std::move(impl);
  return schema;
}

Result<std::shared_ptr<ElementNode>> Schema::child_tree(const std::string& ns,
                                                        const std::string& parent,
                                                        const std::string& child) const {
  const auto it = impl_->elements.find(QName{ns, parent});
  if (it == impl_->elements.end()) {
    return schema_error("element {" + ns + "}" + parent + " is not declared in the schemas");
  }
  BRIDGE_TRY(auto tree, impl_->element(*it->second.doc, it->second.node, 0));
  for (auto& c : tree->children) {
    if (c->name == child) return c;
  }
  return schema_error("element {" + ns + "}" + parent + " (" + tree->declared_in +
                      ") has no child element " + child);
}

}  // namespace bridge::mapping
