// The comparison engine (compare.h): items as XML trees compared element by element, guided by
// the XSD of the operation's item, with namespaces resolved to URIs.
#include "bridge/compare/compare.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_map>

namespace bridge::compare {

namespace {

Error xml_error(const std::string& what) {
  return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::xml), what);
}

std::string_view local_name(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view prefix_of(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view{} : qname.substr(0, colon);
}

// Namespace declarations in force while walking down a tree.
class Scope {
 public:
  explicit Scope(const std::vector<std::pair<std::string, std::string>>& inherited) {
    for (const auto& [p, u] : inherited) decls_.emplace_back(p, u);
  }
  std::size_t push(pugi::xml_node n) {
    const std::size_t mark = decls_.size();
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      const char* name = a.name();
      if (name[0] != 'x' || std::strncmp(name, "xmlns", 5) != 0) continue;  // most attributes
      if (name[5] == '\0') {
        decls_.emplace_back(std::string_view{}, a.value());
      } else if (name[5] == ':') {
        decls_.emplace_back(std::string_view(name + 6), a.value());
      }
    }
    return mark;
  }
  void pop(std::size_t mark) { decls_.resize(mark); }
  std::string_view uri(std::string_view prefix) const {
    for (auto it = decls_.rbegin(); it != decls_.rend(); ++it) {
      if (it->first == prefix) return it->second;
    }
    return {};
  }
  // The URI of element `n`, whose own declarations are already pushed.
  std::string_view uri_of(pugi::xml_node n) const { return uri(prefix_of(n.name())); }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> decls_;
};

// Declarations of n's ancestors (outermost first), so an item keeps its namespaces when it is
// compared apart from its response document.
std::vector<std::pair<std::string, std::string>> inherited_scope(pugi::xml_node n) {
  std::vector<pugi::xml_node> chain;
  for (pugi::xml_node a = n.parent(); a && a.type() == pugi::node_element; a = a.parent()) {
    chain.push_back(a);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (pugi::xml_attribute a : it->attributes()) {
      const std::string_view name = a.name();
      if (name == "xmlns") out.emplace_back("", a.value());
      if (name.starts_with("xmlns:")) out.emplace_back(std::string(name.substr(6)), a.value());
    }
  }
  return out;
}

bool has_element_children(pugi::xml_node n) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

// The text of a leaf: its character data (text and CDATA), concatenated.
std::string text_of(pugi::xml_node n) {
  std::string out;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

constexpr const char* kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";

}  // namespace

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::equal:
      return "equal";
    case Outcome::equivalent:
      return "equivalent";
    case Outcome::different:
      return "different";
    case Outcome::missing:
      return "missing";
    case Outcome::extra:
      return "extra";
  }
  return "?";
}

const char* to_string(Standing s) {
  switch (s) {
    case Standing::counted:
      return "counted";
    case Standing::ignored:
      return "ignored";
    case Standing::noise:
      return "noise";
  }
  return "?";
}

// ---- items -----------------------------------------------------------------------------------

Result<std::vector<Item>> items_of_response(const std::string& operation,
                                            std::shared_ptr<const pugi::xml_document> doc,
                                            const std::string& origin, const std::string& at) {
  pugi::xml_node envelope = doc->document_element();
  Scope scope({});
  scope.push(envelope);
  if (local_name(envelope.name()) != "Envelope" || scope.uri_of(envelope) != kSoapNs) {
    return xml_error(origin + ": not a SOAP 1.1 envelope (root element '" +
                     std::string(envelope.name()) + "')");
  }
  pugi::xml_node body;
  for (pugi::xml_node c = envelope.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == "Body") body = c;
  }
  if (!body) return xml_error(origin + ": the envelope has no Body");
  pugi::xml_node response;
  for (pugi::xml_node c = body.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      response = c;
      break;
    }
  }
  if (!response) return xml_error(origin + ": the Body is empty");
  const std::string_view name = local_name(response.name());
  if (name == "Fault") return xml_error(origin + ": the response is a SOAP fault");
  if (name != operation + "Response") {
    return xml_error(origin + ": expected " + operation + "Response, found '" + std::string(name) +
                     "'");
  }
  std::vector<Item> out;
  int index = 0;
  for (pugi::xml_node c = response.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    Item item;
    item.operation = operation;
    item.origin = origin + " item " + std::to_string(++index);
    item.at = at;
    item.doc = doc;
    item.node = c;
    item.scope = inherited_scope(c);
    out.push_back(std::move(item));
  }
  return out;
}

Result<Item> parse_item(const std::string& operation, std::string_view xml, std::string origin,
                        std::string at) {
  auto doc = std::make_shared<pugi::xml_document>();
  // Content (several sibling fields) is wrapped; an item element parses as it is.
  std::string text;
  text.reserve(xml.size() + 16);
  text += "<item>";
  text += xml;
  text += "</item>";
  const pugi::xml_parse_result parsed = doc->load_buffer(text.data(), text.size());
  if (!parsed) {
    return xml_error(origin + ": not well-formed XML at offset " +
                     std::to_string(std::max<std::ptrdiff_t>(0, parsed.offset - 6)) + ": " +
                     parsed.description());
  }
  pugi::xml_node wrapper = doc->document_element();
  pugi::xml_node node = wrapper;
  // One element holding further elements is the item element itself.
  pugi::xml_node only;
  int elements = 0;
  for (pugi::xml_node c = wrapper.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      ++elements;
      only = c;
    }
  }
  if (elements == 1 && has_element_children(only)) node = only;
  Item item;
  item.operation = operation;
  item.origin = std::move(origin);
  item.at = std::move(at);
  item.node = node;
  item.scope = inherited_scope(node);
  item.doc = std::move(doc);
  return item;
}

// ---- the model of one operation --------------------------------------------------------------

struct KeyPath {
  std::vector<std::string> steps;  // local names
  mapping::ValueKind kind = mapping::ValueKind::string;
};

struct Comparer::OperationModel {
  const mapping::OperationInfo* info = nullptr;
  std::shared_ptr<mapping::ElementNode> tree;
  std::vector<KeyPath> key;
  // field path of a repeated element → the keys of its occurrences
  std::map<std::string, std::vector<KeyPath>, std::less<>> repeat_keys;
};

namespace {

const mapping::ElementNode* find_child(const mapping::ElementNode* parent, std::string_view ns,
                                       std::string_view local) {
  if (!parent) return nullptr;
  for (const auto& c : parent->children) {
    if (c->name == local && c->ns == ns) return c.get();
  }
  return nullptr;
}

// Resolves "A/B/C" below `root` by local names; null when a step is unknown.
const mapping::ElementNode* resolve(const mapping::ElementNode* root, const std::string& path) {
  const mapping::ElementNode* n = root;
  std::size_t start = 0;
  while (n && start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string step = path.substr(start, slash == std::string::npos ? slash : slash - start);
    const mapping::ElementNode* next = nullptr;
    for (const auto& c : n->children) {
      if (c->name == step) next = c.get();
    }
    n = next;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return n;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? slash : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

Result<KeyPath> key_path(const mapping::ElementNode* root, const std::string& path,
                         const std::string& where) {
  const mapping::ElementNode* n = resolve(root, path);
  if (!n) {
    return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::rules),
                      where + ": key path '" + path + "' is not an element of the item");
  }
  if (!n->is_leaf()) {
    return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::rules),
                      where + ": key path '" + path + "' is not a leaf element");
  }
  return KeyPath{split_path(path), n->simple->kind};
}

// The texts of `path` below `n` (first occurrence of each step), by local name.
pugi::xml_node walk(pugi::xml_node n, const std::vector<std::string>& steps) {
  for (const auto& step : steps) {
    pugi::xml_node next;
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element && local_name(c.name()) == step) {
        next = c;
        break;
      }
    }
    if (!next) return {};
    n = next;
  }
  return n;
}

std::string canonical_of(pugi::xml_node n, const std::vector<KeyPath>& keys, int digits) {
  std::string out;
  for (const auto& k : keys) {
    const pugi::xml_node v = walk(n, k.steps);
    out += v ? canonical_key(k.kind, text_of(v), digits) : std::string("(absent)");
    out += '\x1f';
  }
  return out;
}

std::string display_of(pugi::xml_node n, const std::vector<KeyPath>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += " / ";
    const pugi::xml_node v = walk(n, k.steps);
    out += v ? text_of(v) : std::string("(absent)");
  }
  return out;
}

std::vector<std::string> key_values(pugi::xml_node n, const std::vector<KeyPath>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) {
    const pugi::xml_node v = walk(n, k.steps);
    out.push_back(v ? text_of(v) : std::string());
  }
  return out;
}

// The element children of one node, with their URIs and local names.
struct Child {
  pugi::xml_node node;
  std::string_view uri;
  std::string_view local;
};

void children_of(pugi::xml_node n, Scope& scope, std::vector<Child>& out) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const std::size_t mark = scope.push(c);
    out.push_back({c, scope.uri_of(c), local_name(c.name())});
    scope.pop(mark);
  }
}

// Where a pair's leaves go. Equal leaves (nearly all) arrive as views, so that counting them
// allocates nothing; the others as whole FieldResults.
class LeafSink {
 public:
  virtual ~LeafSink() = default;
  virtual void equal(std::string_view path, std::string_view field) = 0;
  virtual void other(FieldResult&& result) = 0;
};

class VectorSink final : public LeafSink {
 public:
  explicit VectorSink(std::vector<FieldResult>& out) : out_(out) {}
  void equal(std::string_view path, std::string_view field) override {
    out_.push_back({std::string(path), std::string(field), Outcome::equal, {}, {}, {}});
  }
  void other(FieldResult&& result) override { out_.push_back(std::move(result)); }

 private:
  std::vector<FieldResult>& out_;
};

// A leaf's text without a copy when it is one run of character data (the usual case).
std::string_view text_view(pugi::xml_node n, std::string& scratch) {
  const pugi::xml_node first = n.first_child();
  if (!first) return {};
  if (!first.next_sibling() &&
      (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
    return first.value();
  }
  scratch = text_of(n);
  return scratch;
}

// Walks both trees of one pair and hands every leaf to the sink.
class PairWalker {
 public:
  PairWalker(const Comparer::OperationModel& model, const Item& legacy, const Item& bridge,
             int key_digits, LeafSink& out)
      : model_(model),
        legacy_(legacy.scope),
        bridge_(bridge.scope),
        digits_(key_digits),
        out_(out) {}

  void run(pugi::xml_node l, pugi::xml_node b) {
    const std::size_t ml = legacy_.push(l), mb = bridge_.push(b);
    both(l, b, model_.tree.get());
    legacy_.pop(ml);
    bridge_.pop(mb);
  }

 private:
  struct Segment {
    std::size_t path_len, field_len;
  };

  // `schema` is the element's declaration; an element the XSD does not declare there is written
  // with its namespace URI when that is not the item's ("{urn:other}Title").
  Segment enter(std::string_view uri, std::string_view local, int index,
                const mapping::ElementNode* schema) {
    const Segment s{path_.size(), field_.size()};
    const bool qualify = !schema && uri != model_.tree->ns;
    const auto add = [&](std::string& p) {
      if (!p.empty()) p += '/';
      if (qualify) {
        p += '{';
        p += uri;
        p += '}';
      }
      p += local;
    };
    add(path_);
    add(field_);
    if (index > 0) {
      path_ += '[';
      path_ += std::to_string(index);
      path_ += ']';
    }
    return s;
  }
  void leave(Segment s) {
    path_.resize(s.path_len);
    field_.resize(s.field_len);
  }

  void emit(Outcome o, std::string reason, std::string legacy, std::string bridge) {
    out_.other({path_, field_, o, std::move(reason), std::move(legacy), std::move(bridge)});
  }

  // Every leaf below a node only one side has.
  void one_side(pugi::xml_node n, Scope& scope, bool legacy_side,
                const mapping::ElementNode* schema) {
    const std::size_t mark = scope.push(n);
    if (!has_element_children(n)) {
      std::string t = text_of(n);
      if (legacy_side) {
        emit(Outcome::missing, "the bridge's message has no such element", std::move(t), {});
      } else {
        emit(Outcome::extra, "the legacy message has no such element", {}, std::move(t));
      }
    } else {
      std::vector<Child> kids;
      children_of(n, scope, kids);
      std::vector<int> seen;  // occurrences per name, for indexes of repeated elements
      for (std::size_t i = 0; i < kids.size(); ++i) {
        int count = 0, index = 0;
        for (std::size_t j = 0; j < kids.size(); ++j) {
          if (kids[j].local == kids[i].local && kids[j].uri == kids[i].uri) {
            ++count;
            if (j <= i) ++index;
          }
        }
        const mapping::ElementNode* child = find_child(schema, kids[i].uri, kids[i].local);
        const Segment s = enter(kids[i].uri, kids[i].local, count > 1 ? index : 0, child);
        one_side(kids[i].node, scope, legacy_side, child);
        leave(s);
      }
    }
    scope.pop(mark);
  }

  void leaf(pugi::xml_node l, pugi::xml_node b, const mapping::ElementNode* schema) {
    std::string ls, bs;
    const std::string_view lt = text_view(l, ls), bt = text_view(b, bs);
    if (lt == bt) {  // the common case: nothing to parse, copy or explain
      out_.equal(path_, field_);
      return;
    }
    const mapping::ValueKind kind =
        schema && schema->simple ? schema->simple->kind : mapping::ValueKind::string;
    ValueComparison v = compare_values(kind, lt, bt);
    if (v.verdict == Verdict::equal) {
      out_.equal(path_, field_);
      return;
    }
    const Outcome o = v.verdict == Verdict::equivalent ? Outcome::equivalent : Outcome::different;
    emit(o, std::move(v.reason), std::string(lt), std::string(bt));
  }

  // Both sides have this element (already pushed on their scopes).
  void both(pugi::xml_node l, pugi::xml_node b, const mapping::ElementNode* schema) {
    const bool is_leaf =
        schema ? schema->is_leaf() : (!has_element_children(l) && !has_element_children(b));
    if (is_leaf) {
      leaf(l, b, schema);
      return;
    }
    std::vector<Child> lk, bk;
    children_of(l, legacy_, lk);
    children_of(b, bridge_, bk);
    // Names in the order the legacy message has them, then names only the bridge has.
    std::vector<std::pair<std::string_view, std::string_view>> names;
    const auto note = [&](const Child& c) {
      for (const auto& n : names) {
        if (n.second == c.local && n.first == c.uri) return;
      }
      names.emplace_back(c.uri, c.local);
    };
    for (const auto& c : lk) note(c);
    for (const auto& c : bk) note(c);
    std::vector<pugi::xml_node> ls, bs;
    for (const auto& [uri, local] : names) {
      ls.clear();
      bs.clear();
      for (const auto& c : lk) {
        if (c.local == local && c.uri == uri) ls.push_back(c.node);
      }
      for (const auto& c : bk) {
        if (c.local == local && c.uri == uri) bs.push_back(c.node);
      }
      const mapping::ElementNode* child_schema = find_child(schema, uri, local);
      const bool repeated =
          (child_schema && child_schema->repeated()) || ls.size() > 1 || bs.size() > 1;
      if (!repeated) {
        const Segment s = enter(uri, local, 0, child_schema);
        pair_or_one(ls.empty() ? pugi::xml_node{} : ls[0], bs.empty() ? pugi::xml_node{} : bs[0],
                    child_schema);
        leave(s);
      } else {
        repeated_elements(uri, local, ls, bs, child_schema);
      }
    }
  }

  void pair_or_one(pugi::xml_node l, pugi::xml_node b, const mapping::ElementNode* schema) {
    if (l && b) {
      const std::size_t ml = legacy_.push(l), mb = bridge_.push(b);
      both(l, b, schema);
      legacy_.pop(ml);
      bridge_.pop(mb);
    } else if (l) {
      one_side(l, legacy_, true, schema);
    } else if (b) {
      one_side(b, bridge_, false, schema);
    }
  }

  void repeated_elements(std::string_view uri, std::string_view local,
                         const std::vector<pugi::xml_node>& ls,
                         const std::vector<pugi::xml_node>& bs,
                         const mapping::ElementNode* schema) {
    // Occurrences are paired by their configured key, else by position.
    const Segment probe = enter(uri, local, 0, schema);
    const auto it = model_.repeat_keys.find(field_);
    leave(probe);
    std::vector<int> partner(ls.size(), -1);
    std::vector<bool> taken(bs.size(), false);
    if (it != model_.repeat_keys.end()) {
      std::vector<std::string> bkeys;
      for (const auto& b : bs) bkeys.push_back(canonical_of(b, it->second, digits_));
      for (std::size_t i = 0; i < ls.size(); ++i) {
        const std::string k = canonical_of(ls[i], it->second, digits_);
        for (std::size_t j = 0; j < bs.size(); ++j) {
          if (!taken[j] && bkeys[j] == k) {
            partner[i] = static_cast<int>(j);
            taken[j] = true;
            break;
          }
        }
      }
    } else {
      for (std::size_t i = 0; i < ls.size() && i < bs.size(); ++i) {
        partner[i] = static_cast<int>(i);
        taken[i] = true;
      }
    }
    for (std::size_t i = 0; i < ls.size(); ++i) {
      const Segment s = enter(uri, local, static_cast<int>(i + 1), schema);
      pair_or_one(ls[i],
                  partner[i] >= 0 ? bs[static_cast<std::size_t>(partner[i])] : pugi::xml_node{},
                  schema);
      leave(s);
    }
    for (std::size_t j = 0; j < bs.size(); ++j) {
      if (taken[j]) continue;
      const Segment s = enter(uri, local, static_cast<int>(j + 1), schema);
      pair_or_one({}, bs[j], schema);
      leave(s);
    }
  }

  const Comparer::OperationModel& model_;
  Scope legacy_, bridge_;
  int digits_;
  LeafSink& out_;
  std::string path_, field_;
};

std::string type_of(const mapping::ElementNode* n) {
  if (!n || !n->simple) return {};
  if (n->simple->name.empty()) return n->simple->builtin;
  return n->simple->name + " (" + n->simple->builtin + ")";
}

}  // namespace

// ---- Comparer --------------------------------------------------------------------------------

Result<Comparer> Comparer::create(std::shared_ptr<const mapping::MappingSet> mappings,
                                  const mapping::Schema& schema, Rules rules) {
  Comparer c;
  c.mappings_ = std::move(mappings);
  const auto rules_error = [&](const std::string& what) {
    return make_error(ErrorDomain::compare, static_cast<int>(CompareErrc::rules), what);
  };
  for (const std::string& op : c.mappings_->operations()) {
    const mapping::OperationInfo* info = c.mappings_->info(op);
    BRIDGE_TRY(auto tree, schema.child_tree(info->ns, info->response, info->item));
    auto model = std::make_shared<OperationModel>();
    model->info = info;
    model->tree = tree;
    const auto key = rules.keys.find(op);
    if (key == rules.keys.end()) {
      return rules_error(rules.file + ": [match.keys] has no business key for " + op);
    }
    for (const auto& p : key->second) {
      BRIDGE_TRY(auto kp, key_path(tree.get(), p, rules.file + ": [match.keys] " + op));
      model->key.push_back(std::move(kp));
    }
    c.models_[op] = std::move(model);
  }
  for (const auto& [op, paths] : rules.keys) {
    if (!c.models_.count(op)) {
      return rules_error(rules.file + ": [match.keys] names '" + op +
                         "', which has no mapping table");
    }
  }
  // Every path of a rule must exist in the operation it names (or in one of them at least).
  const auto check_path = [&](const std::string& op, const std::string& path,
                              const std::string& where) -> Result<void> {
    bool found = false;
    for (const auto& [name, model] : c.models_) {
      if (!op.empty() && op != name) continue;
      if (resolve(model->tree.get(), path)) found = true;
    }
    if (!op.empty() && !c.models_.count(op)) {
      return rules_error(where + ": operation '" + op + "' has no mapping table");
    }
    if (!found) {
      return rules_error(where + ": '" + path + "' is not an element of " +
                         (op.empty() ? std::string("any operation's item") : op + "'s item"));
    }
    return ok();
  };
  for (const auto& r : rules.repeats) {
    BRIDGE_TRY(check_path(r.operation, r.path, r.where));
    for (auto& [name, model] : c.models_) {
      if (!r.operation.empty() && r.operation != name) continue;
      const mapping::ElementNode* n = resolve(model->tree.get(), r.path);
      if (!n) continue;
      if (!n->repeated()) return rules_error(r.where + ": '" + r.path + "' is not repeated");
      std::vector<KeyPath> keys;
      for (const auto& k : r.key) {
        BRIDGE_TRY(auto kp, key_path(n, k, r.where));
        keys.push_back(std::move(kp));
      }
      std::const_pointer_cast<OperationModel>(model)->repeat_keys[r.path] = keys;
    }
  }
  for (const auto& r : rules.ignores) BRIDGE_TRY(check_path(r.operation, r.path, r.where));
  for (const auto& t : rules.field_thresholds) BRIDGE_TRY(check_path(t.operation, t.path, t.where));
  for (const auto& t : rules.operation_thresholds) {
    if (!c.models_.count(t.operation)) {
      return rules_error(t.where + ": operation '" + t.operation + "' has no mapping table");
    }
  }
  c.rules_ = std::move(rules);
  return c;
}

const Comparer::OperationModel* Comparer::model(const std::string& operation) const {
  const auto it = models_.find(operation);
  return it == models_.end() ? nullptr : it->second.get();
}

std::vector<FieldResult> Comparer::compare_pair(const Item& legacy, const Item& bridge) const {
  std::vector<FieldResult> out;
  const OperationModel* m = model(legacy.operation);
  if (!m) return out;
  VectorSink sink(out);
  PairWalker(*m, legacy, bridge, rules_.key_fraction_digits, sink).run(legacy.node, bridge.node);
  return out;
}

std::string Comparer::key_of(const Item& item) const {
  const OperationModel* m = model(item.operation);
  return m ? display_of(item.node, m->key) : std::string{};
}

namespace {

// Lets unordered_map<std::string, …> be searched with a string_view.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Pairing {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // indexes into legacy, bridge
  std::vector<std::size_t> legacy_only, bridge_only;
};

Pairing pair_up(const std::vector<const Item*>& legacy, const std::vector<const Item*>& bridge,
                const std::vector<KeyPath>& key, int digits) {
  Pairing p;
  std::unordered_map<std::string, std::deque<std::size_t>> waiting;
  for (std::size_t j = 0; j < bridge.size(); ++j) {
    waiting[canonical_of(bridge[j]->node, key, digits)].push_back(j);
  }
  for (std::size_t i = 0; i < legacy.size(); ++i) {
    const auto it = waiting.find(canonical_of(legacy[i]->node, key, digits));
    if (it == waiting.end() || it->second.empty()) {
      p.legacy_only.push_back(i);
      continue;
    }
    p.pairs.emplace_back(i, it->second.front());
    it->second.pop_front();
  }
  for (auto& [k, rest] : waiting) {
    for (std::size_t j : rest) p.bridge_only.push_back(j);
  }
  std::sort(p.bridge_only.begin(), p.bridge_only.end());
  return p;
}

std::map<std::string, std::vector<const Item*>> by_operation(const std::vector<Item>& items) {
  std::map<std::string, std::vector<const Item*>> out;
  for (const auto& i : items) out[i.operation].push_back(&i);
  return out;
}

bool is_difference(Outcome o) {
  return o == Outcome::different || o == Outcome::missing || o == Outcome::extra;
}

}  // namespace

RunResult Comparer::run(const std::vector<Item>& legacy, const std::vector<Item>& bridge,
                        const std::vector<Item>* noise, const Progress& progress) const {
  RunResult result;
  const auto legacy_ops = by_operation(legacy), bridge_ops = by_operation(bridge);
  std::vector<std::string> operations;
  for (const auto& [op, _] : legacy_ops) operations.push_back(op);
  for (const auto& [op, _] : bridge_ops) {
    if (!legacy_ops.count(op)) operations.push_back(op);
  }
  std::sort(operations.begin(), operations.end());

  // Noise: per operation and field, how often two legacy recordings disagree.
  struct NoiseCount {
    std::int64_t observed = 0, differing = 0;
  };
  std::map<std::string, NoiseCount> noise_by_field;  // op + '\n' + field
  if (noise) {
    result.noise_baseline = true;
    const auto noise_ops = by_operation(*noise);
    for (const auto& op : operations) {
      const OperationModel* m = model(op);
      const auto l = legacy_ops.find(op);
      const auto n = noise_ops.find(op);
      if (!m || l == legacy_ops.end() || n == noise_ops.end()) continue;
      const Pairing p = pair_up(l->second, n->second, m->key, rules_.key_fraction_digits);
      result.noise_pairs += static_cast<std::int64_t>(p.pairs.size());
      for (const auto& [i, j] : p.pairs) {
        for (const auto& f : compare_pair(*l->second[i], *n->second[j])) {
          auto& c = noise_by_field[op + '\n' + f.field];
          ++c.observed;
          if (is_difference(f.outcome)) ++c.differing;
        }
      }
    }
  }

  std::size_t total = 0, done = 0;
  for (const auto& [op, items] : legacy_ops) total += items.size();
  // operation → field → index in result.fields
  std::map<std::string, std::unordered_map<std::string, std::size_t, TextHash, std::equal_to<>>>
      field_index;
  struct PendingDiff {
    Difference d;
    std::size_t field;
    std::size_t pair;  // running pair number, for pairs_with_differences
  };
  std::vector<PendingDiff> pending;
  std::map<std::string, std::size_t> ignore_index;
  for (const auto& r : rules_.ignores) {
    ignore_index[r.where] = result.ignore_rules.size();
    result.ignore_rules.push_back({r.where, r.operation, r.path, r.reason, r.ticket, 0});
  }
  // Per pair, in order: the index of its operation in result.operations and what it had.
  struct PairMark {
    std::size_t operation = 0;
    bool counted = false, equivalent = false;
  };
  std::vector<PairMark> pairs_seen;

  for (const auto& op : operations) {
    OperationStats stats;
    stats.operation = op;
    const OperationModel* m = model(op);
    static const std::vector<const Item*> none;
    const auto l = legacy_ops.find(op);
    const auto b = bridge_ops.find(op);
    const auto& ls = l == legacy_ops.end() ? none : l->second;
    const auto& bs = b == bridge_ops.end() ? none : b->second;
    stats.legacy_messages = static_cast<std::int64_t>(ls.size());
    stats.bridge_messages = static_cast<std::int64_t>(bs.size());
    if (!m) {
      result.failures.push_back(op + ": no mapping table; " + std::to_string(ls.size()) + " + " +
                                std::to_string(bs.size()) + " message(s) not compared");
      result.passed = false;
      result.operations.push_back(std::move(stats));
      done += ls.size();
      continue;
    }
    const Pairing p = pair_up(ls, bs, m->key, rules_.key_fraction_digits);
    auto& op_fields = field_index[op];
    for (std::size_t i : p.legacy_only) {
      stats.legacy_only.push_back({display_of(ls[i]->node, m->key),
                                   ls[i]->origin,
                                   ls[i]->at,
                                   key_values(ls[i]->node, m->key),
                                   {}});
    }
    for (std::size_t j : p.bridge_only) {
      stats.bridge_only.push_back({display_of(bs[j]->node, m->key),
                                   bs[j]->origin,
                                   bs[j]->at,
                                   key_values(bs[j]->node, m->key),
                                   {}});
    }
    stats.pairs = static_cast<std::int64_t>(p.pairs.size());
    std::size_t cur_i = 0, cur_j = 0, cur_pair = 0;  // the pair being compared
    // The statistics of a field, made when it is first seen.
    const auto stats_for = [&](std::string_view path, std::string_view field) -> std::size_t {
      auto fi = op_fields.find(field);
      if (fi != op_fields.end()) return fi->second;
      FieldStats fs;
      fs.operation = op;
      fs.field = std::string(field);
      if (const mapping::Row* row = mappings_->row_for_path(op, std::string(path))) {
        fs.row = row->reference();
      }
      fs.xsd_type = type_of(resolve(m->tree.get(), fs.field));
      fs.threshold = rules_.field_threshold(op, fs.field);
      if (const IgnoreRule* ir = rules_.ignore_for(op, fs.field)) {
        fs.ignore_reason = ir->reason;
        fs.ignore_ticket = ir->ticket;
        fs.ignore_rule = ir->where;
      }
      if (noise) {
        const auto nc = noise_by_field.find(op + '\n' + fs.field);
        fs.noise_rate = nc == noise_by_field.end() || nc->second.observed == 0
                            ? 0.0
                            : static_cast<double>(nc->second.differing) /
                                  static_cast<double>(nc->second.observed);
      }
      op_fields.emplace(fs.field, result.fields.size());
      result.fields.push_back(std::move(fs));
      return result.fields.size() - 1;
    };
    struct RunSink final : LeafSink {
      std::function<void(std::string_view, std::string_view)> on_equal;
      std::function<void(FieldResult&&)> on_other;
      void equal(std::string_view path, std::string_view field) override { on_equal(path, field); }
      void other(FieldResult&& r) override { on_other(std::move(r)); }
    } sink;
    sink.on_equal = [&](std::string_view path, std::string_view field) {
      FieldStats& fs = result.fields[stats_for(path, field)];
      ++fs.observed;
      ++fs.equal;
    };
    sink.on_other = [&](FieldResult&& f) {
      const std::size_t index = stats_for(f.path, f.field);
      FieldStats& fs = result.fields[index];
      ++fs.observed;
      switch (f.outcome) {
        case Outcome::equal:
          ++fs.equal;
          return;
        case Outcome::equivalent:
          ++fs.equivalent;
          break;
        case Outcome::different:
          ++fs.different;
          break;
        case Outcome::missing:
          ++fs.missing;
          break;
        case Outcome::extra:
          ++fs.extra;
          break;
      }
      Difference d;
      d.operation = op;
      d.key = display_of(ls[cur_i]->node, m->key);
      d.row = fs.row;
      d.legacy_origin = ls[cur_i]->origin;
      d.bridge_origin = bs[cur_j]->origin;
      d.field = std::move(f);
      pending.push_back({std::move(d), index, cur_pair});
    };
    for (const auto& [i, j] : p.pairs) {
      const std::size_t this_pair = pairs_seen.size();
      pairs_seen.push_back({result.operations.size(), false, false});
      cur_i = i;
      cur_j = j;
      cur_pair = this_pair;
      PairWalker(*m, *ls[i], *bs[j], rules_.key_fraction_digits, sink)
          .run(ls[i]->node, bs[j]->node);
      if (progress) progress(++done, total);
    }
    done += p.legacy_only.size();
    if (progress) progress(done, total);
    result.operations.push_back(std::move(stats));
  }

  // Standing of each field's differences: an ignore rule first, then Diffy's noise rule.
  std::vector<bool> field_is_noise(result.fields.size(), false);
  for (std::size_t k = 0; k < result.fields.size(); ++k) {
    FieldStats& fs = result.fields[k];
    const std::int64_t raw = fs.different + fs.missing + fs.extra;
    if (!fs.ignore_rule.empty()) {
      fs.ignored = raw;
      result.ignore_rules[ignore_index[fs.ignore_rule]].matched += raw;
    } else if (noise && fs.noise_rate > 0 && raw > 0) {
      const double rate = static_cast<double>(raw) / static_cast<double>(fs.observed);
      const bool significant = rate - fs.noise_rate > rules_.noise_absolute &&
                               rate > fs.noise_rate * (1 + rules_.noise_relative);
      if (!significant) {
        fs.noise = raw;
        field_is_noise[k] = true;
      }
    }
    fs.rate =
        fs.observed ? static_cast<double>(fs.counted()) / static_cast<double>(fs.observed) : 0.0;
    fs.exceeded = fs.rate > fs.threshold;
  }
  std::map<std::string, std::size_t> examples;
  for (auto& pd : pending) {
    const FieldStats& fs = result.fields[pd.field];
    if (is_difference(pd.d.field.outcome)) {
      if (!fs.ignore_rule.empty()) {
        pd.d.standing = Standing::ignored;
        pd.d.rule = fs.ignore_rule;
      } else if (field_is_noise[pd.field]) {
        pd.d.standing = Standing::noise;
      } else {
        pairs_seen[pd.pair].counted = true;
      }
    } else {
      pairs_seen[pd.pair].equivalent = true;
    }
    const std::string example_key =
        pd.d.operation + '\n' + pd.d.field.field + '\n' + to_string(pd.d.field.outcome);
    if (examples[example_key]++ < rules_.max_examples_per_field) {
      result.differences.push_back(std::move(pd.d));
    } else {
      ++result.differences_left_out;
    }
  }
  for (const PairMark& mark : pairs_seen) {
    OperationStats& stats = result.operations[mark.operation];
    if (mark.counted) {
      ++stats.pairs_with_differences;
    } else if (mark.equivalent) {
      ++stats.pairs_equivalent_only;
    }
  }
  for (auto& stats : result.operations) {
    stats.message_rate = stats.pairs ? static_cast<double>(stats.pairs_with_differences) /
                                           static_cast<double>(stats.pairs)
                                     : 0.0;
    stats.message_threshold = rules_.message_threshold(stats.operation);
    stats.unmatched_threshold = rules_.unmatched_threshold(stats.operation);
    const auto unmatched =
        static_cast<std::int64_t>(stats.legacy_only.size() + stats.bridge_only.size());
    if (stats.message_rate > stats.message_threshold) {
      stats.exceeded = true;
      result.failures.push_back(
          stats.operation + ": " + std::to_string(stats.pairs_with_differences) + " of " +
          std::to_string(stats.pairs) + " message pair(s) differ, above the threshold");
    }
    if (unmatched > stats.unmatched_threshold) {
      stats.exceeded = true;
      result.failures.push_back(stats.operation + ": " + std::to_string(stats.legacy_only.size()) +
                                " legacy-only and " + std::to_string(stats.bridge_only.size()) +
                                " bridge-only message(s), above the threshold of " +
                                std::to_string(stats.unmatched_threshold));
    }
  }
  for (const auto& fs : result.fields) {
    if (fs.exceeded) {
      result.failures.push_back(
          fs.operation + " " + fs.field + ": " + std::to_string(fs.counted()) +
          " counted difference(s) in " + std::to_string(fs.observed) + " pair(s)" +
          (fs.row.empty() ? std::string(" (no mapping row)") : " (row " + fs.row + ")"));
    }
  }
  result.passed = result.failures.empty();
  return result;
}

}  // namespace bridge::compare
