#pragma once
// The legacy mode's own item templates (docs/simulator.md, "Legacy mode"): a small mustache-like
// language, written independently of the bridge's mapping tables so that a comparison run
// checks one against the other.
//
//   {{a.b}}          the value at a.b, XML-escaped; no value (absent, null, "") is an error
//   {{a.b|table}}    the same, looked up in a code table (an unknown code passes unchanged)
//   {{#a}}…{{/a}}    rendered when a has a value; once per element when a is an array (the
//                    element is then the innermost context, and {{.}} names it)
//   {{^a}}…{{/a}}    rendered when a has no value
//   {{>_name}}       the partial template _name.xml of the same directory
//   {{! text }}      a comment
// Whitespace that contains a line break, and whitespace at the start and end of a file, is not
// part of the output, so templates can be indented. A name resolves in the current context, else
// in the top-level model; a name of digits picks an array element ({{#list.0}}: "not empty").
//
// Rendering also reports where each value went and which elements the output has (their element
// paths, as docs/mapping-tables.md writes them), so that injections can change one on purpose.

#include "bridge/core/result.h"
#include "bridge/core/xml_text.h"
#include "bridge/sim/scenario.h"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::sim {

// A code table: code → legacy value, in file order.
struct CodeTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> codes;
  // The legacy value of `code`, or nullptr when the table does not have it.
  const std::string* find(const std::string& code) const;
};

// One value written by {{…}}.
struct RenderedValue {
  std::string variable;   // "resource.samtaleType"
  std::string table;      // the code table, or empty
  std::string text;       // as written, before escaping
  std::size_t begin = 0;  // the escaped text is xml[begin, end)
  std::size_t end = 0;
  std::string path;  // the innermost element around it: "WSRMMetadata/ClientSystemTypeIdentifier"
};

// One element of the output.
struct RenderedElement {
  std::string path;
  std::size_t begin = 0;  // from '<' of the start tag
  std::size_t end = 0;    // to after '>' of the end tag
  std::size_t inner_begin = 0;
  std::size_t inner_end = 0;
  bool leaf = true;       // no child elements
  bool optional = false;  // it is exactly what a {{#…}} or {{^…}} section wrote (not a repeat)
};

struct Rendered {
  std::string xml;
  std::vector<RenderedValue> values;      // in output order
  std::vector<RenderedElement> elements;  // in document order
};

// Errors: ErrorDomain::config, SimErrc::legacy_templates.
class TemplateSet {
 public:
  struct Node;
  TemplateSet();
  TemplateSet(TemplateSet&&) noexcept;
  TemplateSet& operator=(TemplateSet&&) noexcept;
  ~TemplateSet();

  // Every *.xml in `dir` (a name starting with '_' is a partial) and the code tables of
  // dir/codes.json. Errors name the file and line.
  static Result<TemplateSet> load(const std::string& dir);
  // The same from memory: file name (e.g. "GetIndkaldelseVersion1.xml") → text.
  static Result<TemplateSet> parse(const std::map<std::string, std::string>& files,
                                   std::string_view codes_json, const std::string& dir);

  bool has(const std::string& name) const;
  const CodeTable* table(const std::string& name) const;
  const std::string& dir() const { return dir_; }

  // Renders template `name` (without ".xml") with `context`. Errors name the template and line.
  Result<Rendered> render(const std::string& name, const Json& context) const;

 private:
  std::string dir_;
  std::map<std::string, std::vector<Node>> templates_;
  std::map<std::string, CodeTable> tables_;
};

// XML text: & < > " ' escaped, CR as &#13;, other control characters XML cannot carry left out.
using bridge::xml_escape;

}  // namespace bridge::sim
