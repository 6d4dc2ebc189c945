// The header fields of the Indkaldelse WSB (domain.md §3.5) and the body's
// Indkaldelsehaendelsestype (§3.6), read with type checks. A field that is missing or has the
// wrong JSON type is reported once, at its own JSON pointer; the fields below a missing object are
// not reported again.

#include "bridge/wsb/header_fields.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::wsb {
namespace {

using nlohmann::json;
using Pointer = json::json_pointer;

class FieldReader {
 public:
  explicit FieldReader(std::vector<Problem>& problems) : problems_(problems) {}

  // The member, or nullptr after reporting it missing.
  const json* member(const json& parent, const Pointer& at, const char* key) {
    const auto it = parent.find(key);
    if (it == parent.end()) {
      add(at / key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  const json* object(const json& parent, const Pointer& at, const char* key) {
    const json* value = member(parent, at, key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      mistyped(at / key, "an object", *value);
      return nullptr;
    }
    return value;
  }

  std::optional<std::string> string(const json& parent, const Pointer& at, const char* key) {
    const json* value = member(parent, at, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) return mistyped(at / key, "a string", *value);
    return value->get<std::string>();
  }

  // VersionIdentifier: a string or null ("null in the seed").
  std::optional<std::string> nullable_string(const json& parent, const Pointer& at,
                                             const char* key) {
    const json* value = member(parent, at, key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) return mistyped(at / key, "a string or null", *value);
    return value->get<std::string>();
  }

  std::optional<int> integer(const json& parent, const Pointer& at, const char* key) {
    const json* value = member(parent, at, key);
    if (value == nullptr) return std::nullopt;
    return integer_value(*value, at / key);
  }

  // A JSON number with an integral value in int range; 3 and 3.0 are the same JSON number.
  std::optional<int> integer_value(const json& value, const Pointer& at) {
    if (!value.is_number()) return mistyped(at, "an integer", value);
    constexpr auto kMin = std::numeric_limits<int>::min();
    constexpr auto kMax = std::numeric_limits<int>::max();
    if (value.is_number_unsigned()) {
      const auto n = value.get<std::uint64_t>();
      if (n <= static_cast<std::uint64_t>(kMax)) return static_cast<int>(n);
    } else if (value.is_number_integer()) {
      const auto n = value.get<std::int64_t>();
      if (n >= kMin && n <= kMax) return static_cast<int>(n);
    } else {
      const auto d = value.get<double>();
      if (std::trunc(d) != d) {
        add(at, "must be an integer, not " + value.dump());
        return std::nullopt;
      }
      if (d >= kMin && d <= kMax) return static_cast<int>(d);
    }
    add(at, "must be an integer between " + std::to_string(kMin) + " and " + std::to_string(kMax) +
                ", not " + value.dump());
    return std::nullopt;
  }

  // {"OrganisationType": int, "OrganisationKode": string}
  std::optional<Organisation> organisation(const json& parent, const Pointer& at, const char* key) {
    const json* value = object(parent, at, key);
    if (value == nullptr) return std::nullopt;
    const Pointer here = at / key;
    const std::optional<int> type = integer(*value, here, "OrganisationType");
    const std::optional<std::string> code = string(*value, here, "OrganisationKode");
    if (!type || !code) return std::nullopt;
    return Organisation{*type, *code};
  }

  void add(const Pointer& at, std::string message) {
    problems_.push_back(Problem{at.to_string(), std::move(message)});
  }

 private:
  std::nullopt_t mistyped(const Pointer& at, const char* expected, const json& value) {
    add(at, std::string("must be ") + expected + ", not " + json_type_name(value));
    return std::nullopt;
  }

  std::vector<Problem>& problems_;
};

// The page calls the field "Indkaldelseshaendelse", the seed's key is
// "Indkaldelsehaendelsestype", and the grammar invites "Indkaldelseshaendelsestype": match
// indkaldelse[s]haendelse[[s]type] ignoring ASCII case (domain.md §3.6).
bool is_haendelsestype_key(std::string_view key) {
  std::string lower(key);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // ASCII only, no locale
  }
  std::string_view rest(lower);
  const auto eat = [&rest](std::string_view part) {
    if (!rest.starts_with(part)) return false;
    rest.remove_prefix(part.size());
    return true;
  };
  if (!eat("indkaldelse")) return false;
  eat("s");
  if (!eat("haendelse")) return false;
  if (rest.empty()) return true;
  eat("s");
  return eat("type") && rest.empty();
}

// The body member holding the event type, preferring the seed's exact spelling. A flat document
// may carry it among the header fields instead, so the header is searched second.
std::optional<int> read_haendelsestype(const json& header, const json& body, FieldReader& reader) {
  const auto find_in = [](const json& object) -> json::const_iterator {
    if (!object.is_object()) return object.end();
    const auto exact = object.find("Indkaldelsehaendelsestype");
    if (exact != object.end()) return exact;
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (is_haendelsestype_key(it.key())) return it;
    }
    return object.end();
  };
  if (const auto it = find_in(body); it != body.end()) {
    return reader.integer_value(*it, Pointer("/Body") / it.key());
  }
  if (const auto it = find_in(header); it != header.end()) {
    return reader.integer_value(*it, Pointer() / it.key());
  }
  return std::nullopt;  // "Body - ingen": the body is optional, so its absence is no problem
}

}  // namespace

const char* json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::binary:
      return "binary data";
    case json::value_t::discarded:
      break;
  }
  return "an invalid value";
}

Header read_header_fields(const json& header, const json& body, std::vector<Problem>& problems) {
  FieldReader r(problems);
  Header h;
  const Pointer root;
  if (const json* oprindelse = r.object(header, root, "Oprindelse")) {
    const Pointer at = root / "Oprindelse";
    h.registrerende_myndighed = r.organisation(*oprindelse, at, "RegistrerendeMyndighed");
    if (const json* bruger = r.object(*oprindelse, at, "RegistrerendeBruger")) {
      const Pointer ab = at / "RegistrerendeBruger";
      h.brugertype_id = r.integer(*bruger, ab, "BrugertypeId");
      h.brugertype_navn = r.string(*bruger, ab, "BrugertypeNavn").value_or("");
      h.brugernavn = r.string(*bruger, ab, "Brugernavn").value_or("");
      h.brugeridentifikation = r.string(*bruger, ab, "Brugeridentifikation").value_or("");
      h.brugeremail = r.string(*bruger, ab, "Brugeremail").value_or("");
      h.kaldende_myndighed = r.organisation(*bruger, ab, "KaldendeMyndighed");
    }
    h.system_id = r.integer(*oprindelse, at, "SystemId");
    h.systemnavn = r.string(*oprindelse, at, "Systemnavn").value_or("");
  }
  h.besked_identifier = r.string(header, root, "BeskedIdentifier").value_or("");
  if (const auto tid = r.string(header, root, "HaendelsesTid")) {
    h.haendelses_tid = *tid;
    h.haendelses_tid_utc = parse_haendelses_tid(*tid);
    if (!h.haendelses_tid_utc) {
      r.add(root / "HaendelsesTid",
            "must be a date and time with 0 to 7 fraction digits and an offset "
            "(2024-04-23T12:47:17.154073+02:00), not '" +
                *tid + "'");
    }
  }
  h.miljoe = r.string(header, root, "Miljoe").value_or("");
  h.korrelations_identifier = r.string(header, root, "KorrelationsIdentifier").value_or("");
  h.entitetstype_id = r.integer(header, root, "EntitetstypeId");
  h.entitetstype_navn = r.string(header, root, "EntitetstypeNavn").value_or("");
  h.ekstern_identifier = r.string(header, root, "EksternIdentifier").value_or("");
  h.version_identifier = r.nullable_string(header, root, "VersionIdentifier");
  h.identifikation = r.string(header, root, "Identifikation").value_or("");
  h.identifikationstype_id = r.integer(header, root, "IdentifikationstypeId");
  h.identifikationstype_navn = r.string(header, root, "IdentifikationstypeNavn").value_or("");
  h.aendringstype_id = r.integer(header, root, "AendringstypeId");
  h.aendringstype_navn = r.string(header, root, "AendringstypeNavn").value_or("");
  h.indkaldelsehaendelsestype = read_haendelsestype(header, body, r);
  return h;
}

}  // namespace bridge::wsb
