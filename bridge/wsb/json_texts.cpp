// Reading the pushed bytes as JSON: nlohmann's exceptions are caught here and become
// WsbErrc::not_json errors that point into the input like a pugixml parse result does.

#include "bridge/wsb/json_texts.h"

#include "bridge/wsb/wsb.h"

#include <cstddef>
#include <string>

namespace bridge::wsb {
namespace {

using nlohmann::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The seed nests 4 deep. nlohmann copies, compares and prints values recursively, so a document
// nested 100000 deep would overflow the stack of whoever touches it after parse().
constexpr std::size_t kMaxDepth = 64;

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_whitespace(std::string_view bytes, std::size_t pos) {
  while (pos < bytes.size() && is_json_whitespace(bytes[pos])) ++pos;
  return pos;
}

// Where the brackets and strings of the input are, found before nlohmann parses it. Only brackets
// and strings are tracked; nlohmann validates everything else afterwards.
struct Outline {
  // One past the bracket closing the object or array that starts at the first non-whitespace
  // byte, or npos when the input does not start with a complete object or array.
  std::size_t first_end = std::string_view::npos;
  // The opening bracket that nests deeper than kMaxDepth, or npos.
  std::size_t too_deep_at = std::string_view::npos;
};

Outline outline_of(std::string_view bytes, std::size_t begin) {
  Outline outline;
  const std::size_t start = skip_whitespace(bytes, begin);
  const bool starts_with_container =
      start < bytes.size() && (bytes[start] == '{' || bytes[start] == '[');
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t pos = start; pos < bytes.size(); ++pos) {
    const char c = bytes[pos];
    if (in_string) {
      if (c == '\\') {
        ++pos;  // the escaped character, whatever it is, cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        outline.too_deep_at = pos;
        return outline;
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0 && starts_with_container && outline.first_end == std::string_view::npos) {
        outline.first_end = pos + 1;
      }
    }
  }
  return outline;
}

// "syntax error while parsing value - invalid literal; last read: '1111…'; expected …" without
// the "last read" part, which echoes the input.
std::string reason_of(const json::parse_error& e) {
  std::string what = e.what();
  const std::size_t after_position = what.find(": ");
  if (after_position != std::string::npos) what.erase(0, after_position + 2);
  const std::size_t last_read = what.find("; last read: ");
  if (last_read != std::string::npos) {
    const std::size_t expected = what.rfind("; expected ");
    std::string tail = expected != std::string::npos && expected > last_read ? what.substr(expected)
                                                                             : std::string();
    what.erase(last_read);
    what += tail;
  }
  return what;
}

Error not_json_at(std::string_view bytes, std::size_t offset, const std::string& reason) {
  if (offset > bytes.size()) offset = bytes.size();
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (bytes[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return make_error(ErrorDomain::wsb, static_cast<int>(WsbErrc::not_json),
                    "not JSON at byte offset " + std::to_string(offset) + " (line " +
                        std::to_string(line) + ", column " + std::to_string(column) +
                        "): " + reason);
}

// Parses bytes[begin, end) as exactly one JSON text.
Result<json> parse_one(std::string_view bytes, std::size_t begin, std::size_t end) {
  const std::string_view part = bytes.substr(begin, end - begin);
  try {
    return json::parse(part.begin(), part.end());
  } catch (const json::parse_error& e) {
    // e.byte counts the bytes read up to and including the offending one (1-based).
    const std::size_t local = e.byte > 0 ? e.byte - 1 : 0;
    return not_json_at(bytes, begin + local, reason_of(e));
  } catch (const json::exception& e) {
    return not_json_at(bytes, begin, e.what());
  }
}

}  // namespace

Result<std::vector<json>> read_json_texts(std::string_view bytes) {
  const std::size_t begin = bytes.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  const Outline outline = outline_of(bytes, begin);
  if (outline.too_deep_at != std::string_view::npos) {
    return not_json_at(bytes, outline.too_deep_at,
                       "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  // Built with emplace_back: an initializer list would copy, and copies recurse.
  std::vector<json> texts;
  if (outline.first_end == std::string_view::npos ||
      skip_whitespace(bytes, outline.first_end) == bytes.size()) {
    BRIDGE_TRY(json only, parse_one(bytes, begin, bytes.size()));
    texts.emplace_back(std::move(only));
    return texts;
  }
  // Something follows the first object or array: the seed's "header, blank line, body".
  BRIDGE_TRY(json first, parse_one(bytes, begin, outline.first_end));
  BRIDGE_TRY(json second, parse_one(bytes, outline.first_end, bytes.size()));
  texts.emplace_back(std::move(first));
  texts.emplace_back(std::move(second));
  return texts;
}

}  // namespace bridge::wsb
