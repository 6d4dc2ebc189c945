// parse(): which layout arrived (contract.md §4.1) and the header and body it carries. Only bytes
// that are no WSB document at all fail; every field-level fault becomes a Problem so that the
// receiver still stores the message and can quarantine it (domain.md §3.2).

#include "bridge/wsb/header_fields.h"
#include "bridge/wsb/json_texts.h"
#include "bridge/wsb/wsb.h"

#include <string>
#include <utility>

namespace bridge::wsb {
namespace {

using nlohmann::json;

Error not_a_document(std::string what) {
  return make_error(ErrorDomain::wsb, static_cast<int>(WsbErrc::not_a_document),
                    "not a WSB document: " + std::move(what) +
                        "; expected {…header…, \"Body\": {…}}, {\"Header\": {…}, \"Body\": {…}} "
                        "or [header, body]");
}

// The "Body" member of a flat or Header/Body document. A body that is not an object is kept as
// it came (nothing is lost) and reported.
json take_body(json& object, std::vector<Problem>& problems) {
  const auto it = object.find("Body");
  if (it == object.end()) return nullptr;
  json body = std::move(*it);
  object.erase(it);
  if (!body.is_object() && !body.is_null()) {
    problems.push_back(
        Problem{"/Body", std::string("must be an object, not ") + json_type_name(body)});
  }
  return body;
}

Result<Document> from_pair(json header, json body, const char* what) {
  if (!header.is_object() || !body.is_object()) {
    return not_a_document(std::string(what) + " of " + json_type_name(header) + " and " +
                          json_type_name(body) + " instead of two objects");
  }
  Document document;
  document.layout = Layout::pair;
  document.header = std::move(header);
  document.body = std::move(body);
  return document;
}

Result<Document> from_object(json object) {
  Document document;
  const auto header = object.find("Header");
  if (header != object.end() && header->is_object()) {
    document.layout = Layout::header_body;
    document.header = std::move(*header);
    object.erase(header);
    document.body = take_body(object, document.problems);
    // Document has no place for members next to Header and Body: name them rather than drop
    // them silently.
    std::string others;
    for (auto it = object.begin(); it != object.end(); ++it) {
      others += (others.empty() ? "" : ", ") + it.key();
    }
    if (!others.empty()) {
      document.problems.push_back(
          Problem{"", "has members next to Header and Body that are ignored: " + others});
    }
    return document;
  }
  // Flat: everything but Body is header, unknown fields included. A "Header" member that is not
  // an object stays in the header as an unknown field; the missing fields quarantine the message.
  document.layout = Layout::flat;
  document.body = take_body(object, document.problems);
  document.header = std::move(object);
  return document;
}

Result<Document> to_document(std::vector<json> texts) {
  if (texts.size() == 2) {
    return from_pair(std::move(texts[0]), std::move(texts[1]), "two JSON texts");
  }
  json& value = texts.front();
  if (value.is_object()) return from_object(std::move(value));
  if (value.is_array()) {
    if (value.size() != 2) {
      return not_a_document("an array of " + std::to_string(value.size()) +
                            " elements instead of [header, body]");
    }
    return from_pair(std::move(value[0]), std::move(value[1]), "an array");
  }
  return not_a_document(std::string("the JSON text is ") + json_type_name(value));
}

}  // namespace

const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::flat:
      return "flat";
    case Layout::header_body:
      return "header_body";
    case Layout::pair:
      return "pair";
  }
  return "unknown";
}

Result<Document> parse(std::string_view bytes) {
  BRIDGE_TRY(std::vector<json> texts, read_json_texts(bytes));
  BRIDGE_TRY(Document document, to_document(std::move(texts)));
  document.fields = read_header_fields(document.header, document.body, document.problems);
  return document;
}

}  // namespace bridge::wsb
