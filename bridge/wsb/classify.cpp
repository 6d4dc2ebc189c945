// classify(): accepted or quarantined, after the message is stored (domain.md §3.2: a message is
// never rejected to get rid of it). Rules in order schema → entity → Miljoe → recipient; the
// first failing one gives the reason. Details never quote Identifikation, which is a CPR number.

#include "bridge/wsb/wsb.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::wsb {
namespace {

// "8/44000", as the queue stage prints organisations.
std::string describe(const Organisation& organisation) {
  return std::to_string(organisation.type) + "/" + organisation.code;
}

bool is_hex_or_placeholder(char c) {
  // 'x'/'X' stand for anonymised hex digits: the seed's EksternIdentifier is
  // "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600" and must flow through the whole bridge.
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == 'x' ||
         c == 'X';
}

// The 8-4-4-4-12 GUID shape, without braces.
bool looks_like_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !is_hex_or_placeholder(text[i])) return false;
  }
  return true;
}

// Collects "<pointer> <what is wrong>" for each required field that fails, in the order of wsb.h.
class SchemaCheck {
 public:
  explicit SchemaCheck(const Document& document) : document_(document) {}

  // When `ok` is false: the Problem parse() recorded for the field (missing, mistyped, bad
  // value), or else `fallback` (e.g. "is empty").
  void require(const char* pointer, bool ok, const std::string& fallback) {
    if (ok) return;
    const auto problem = std::find_if(document_.problems.begin(), document_.problems.end(),
                                      [pointer](const Problem& p) { return p.pointer == pointer; });
    const std::string& why = problem != document_.problems.end() ? problem->message : fallback;
    failures_ += (failures_.empty() ? "" : "; ") + std::string(pointer) + " " + why;
  }

  const std::string& failures() const { return failures_; }

 private:
  const Document& document_;
  std::string failures_;
};

std::string schema_failures(const Document& document) {
  const Header& h = document.fields;
  SchemaCheck check(document);
  check.require("/BeskedIdentifier", !h.besked_identifier.empty(), "is empty");
  check.require("/EntitetstypeId", h.entitetstype_id.has_value(), "is missing");
  check.require("/EksternIdentifier", looks_like_guid(h.ekstern_identifier),
                h.ekstern_identifier.empty()
                    ? "is empty"
                    : "must be a GUID (8-4-4-4-12 hex digits), not '" + h.ekstern_identifier + "'");
  check.require("/Identifikation", !h.identifikation.empty(), "is empty");
  const bool known_aendringstype =
      h.aendringstype_id && *h.aendringstype_id >= 1 && *h.aendringstype_id <= 3;
  check.require("/AendringstypeId", known_aendringstype,
                h.aendringstype_id ? "must be 1 (Create), 2 (Update) or 3 (Delete), not " +
                                         std::to_string(*h.aendringstype_id)
                                   : std::string("is missing"));
  check.require("/HaendelsesTid", h.haendelses_tid_utc.has_value(),
                "is not a date and time with an offset");
  check.require("/Miljoe", !h.miljoe.empty(), "is empty");
  return check.failures();
}

Classification quarantine(const char* reason, std::string detail) {
  return Classification{Verdict::quarantined, reason, std::move(detail)};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

Classification classify(const Document& document, const Organisation& recipient,
                        const Rules& rules) {
  if (std::string failures = schema_failures(document); !failures.empty()) {
    return quarantine(kReasonSchema, std::move(failures));
  }
  const Header& h = document.fields;
  if (*h.entitetstype_id != rules.entitetstype_id) {
    return quarantine(kReasonOtherEntity, "EntitetstypeId " + std::to_string(*h.entitetstype_id) +
                                              " ('" + h.entitetstype_navn + "') is not " +
                                              std::to_string(rules.entitetstype_id));
  }
  if (!rules.miljoe_allowed.empty() &&
      std::find(rules.miljoe_allowed.begin(), rules.miljoe_allowed.end(), h.miljoe) ==
          rules.miljoe_allowed.end()) {
    return quarantine(kReasonMiljoe,
                      "Miljoe '" + h.miljoe + "' is not in [" + join(rules.miljoe_allowed) + "]");
  }
  const auto served = std::find_if(rules.recipients.begin(), rules.recipients.end(),
                                   [&recipient](const Organisation& o) {
                                     return o.type == recipient.type && o.code == recipient.code;
                                   });
  if (served == rules.recipients.end()) {
    std::vector<std::string> known;
    for (const Organisation& o : rules.recipients) known.push_back(describe(o));
    return quarantine(kReasonUnknownRecipient, "recipient " + describe(recipient) +
                                                   " is not among the organisations served [" +
                                                   join(known) + "]");
  }
  return Classification{Verdict::accepted, "", ""};
}

}  // namespace bridge::wsb
