#pragma once
// The webservicebesked (WSB) that DFDG pushes: parsing of both document layouts, the header
// fields of the Indkaldelse WSB (domain.md §3.4-3.6), and classification into accepted or
// quarantined. Parsing never loses information: the header and body JSON are kept whole, unknown
// fields included, and problems are collected instead of failing, so that a message DFDG
// considers delivered is always stored and can be re-processed after a fix.

#include "bridge/core/clock.h"
#include "bridge/core/result.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::wsb {

// Codes of ErrorDomain::wsb (only for bytes that are not a WSB document at all).
enum class WsbErrc {
  not_json = 1,        // not parseable as JSON (HTTP 400)
  not_a_document = 2,  // JSON, but neither an object nor a [header, body] array
};

// How header and body arrived (recorded with the message).
enum class Layout {
  flat,         // { …header fields…, "Body": {…} }  (Body may be absent)
  header_body,  // { "Header": {…}, "Body": {…} }
  pair,         // [ {…header…}, {…body…} ]
};
const char* to_string(Layout layout);

struct Organisation {
  int type = 0;      // OrganisationType
  std::string code;  // OrganisationKode (a string in the WSB: "44000")
};

// The header fields of the seed example. Optional members are absent when the field is missing
// or has the wrong JSON type; each such case also adds a Problem.
struct Header {
  std::optional<Organisation> registrerende_myndighed;  // Oprindelse.RegistrerendeMyndighed
  std::optional<int> brugertype_id;                     // Oprindelse.RegistrerendeBruger.…
  std::string brugertype_navn;
  std::string brugernavn;
  std::string brugeridentifikation;
  std::string brugeremail;
  std::optional<Organisation> kaldende_myndighed;  // …RegistrerendeBruger.KaldendeMyndighed
  std::optional<int> system_id;                    // Oprindelse.SystemId
  std::string systemnavn;
  std::string besked_identifier;                // the dedupe key
  std::string haendelses_tid;                   // as sent
  std::optional<TimePoint> haendelses_tid_utc;  // parsed: 0-7 fraction digits, any offset
  std::string miljoe;
  std::string korrelations_identifier;
  std::optional<int> entitetstype_id;
  std::string entitetstype_navn;
  std::string ekstern_identifier;                 // indkaldelseId: the REST GET key
  std::optional<std::string> version_identifier;  // null in the seed
  std::string identifikation;                     // the citizen's CPR
  std::optional<int> identifikationstype_id;
  std::string identifikationstype_navn;
  std::optional<int> aendringstype_id;  // 1 Create, 2 Update, 3 Delete
  std::string aendringstype_navn;
  std::optional<int> indkaldelsehaendelsestype;  // from the body; key matched tolerantly
};

// A schema problem: which field (JSON pointer) and what is wrong with it.
struct Problem {
  std::string pointer;  // e.g. "/EksternIdentifier" or "/Oprindelse/SystemId"
  std::string message;  // e.g. "is missing", "must be an integer, not a string"
};

struct Document {
  Layout layout = Layout::flat;
  nlohmann::json header;  // the header object as received (unknown fields kept)
  nlohmann::json body;    // the body object, or null when there is none
  Header fields;
  std::vector<Problem> problems;
};

// Parses one WSB document. Fails only when the bytes are not JSON or not a document shape;
// everything else (missing or mistyped fields) is reported in Document::problems.
Result<Document> parse(std::string_view bytes);

// "2024-04-23T12:47:17.154073+02:00": date and time with 0 to 7 fraction digits and an offset
// (+hh:mm, -hh:mm or Z). nullopt when it is not such a value.
std::optional<TimePoint> parse_haendelses_tid(std::string_view text);

// What the receiver decides after storing a message.
struct Rules {
  int entitetstype_id = 90000;              // Indkaldelse
  std::vector<std::string> miljoe_allowed;  // e.g. {"P"} on production; empty: any
  std::vector<Organisation> recipients;     // organisations this bridge serves
};

enum class Verdict { accepted, quarantined };

// Reason codes of a quarantine, stable for metrics and reports.
inline constexpr const char* kReasonSchema = "schema";  // a required field missing or mistyped
inline constexpr const char* kReasonOtherEntity = "other_entity";  // not entity 90000
inline constexpr const char* kReasonMiljoe = "miljoe_mismatch";    // not on the allow-list
inline constexpr const char* kReasonUnknownRecipient = "unknown_recipient";

struct Classification {
  Verdict verdict = Verdict::accepted;
  std::string reason;  // one of the kReason… codes when quarantined
  std::string detail;  // a sentence naming the field and value, e.g. "Miljoe 'T3' is not in [P]"
};

// Required for acceptance: BeskedIdentifier, EntitetstypeId, EksternIdentifier (a GUID),
// Identifikation, AendringstypeId, HaendelsesTid (parseable), Miljoe. The first failing rule, in
// the order schema → entity → Miljoe → recipient, decides the reason.
Classification classify(const Document& document, const Organisation& recipient,
                        const Rules& rules);

}  // namespace bridge::wsb
