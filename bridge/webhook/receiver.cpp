#include "bridge/webhook/receiver.h"

#include "bridge/core/hash.h"

#include <cctype>

namespace bridge::webhook {

const char* to_string(store::InboxOutcome outcome) {
  switch (outcome) {
    case store::InboxOutcome::stored:
      return "stored";
    case store::InboxOutcome::duplicate:
      return "duplicate";
    case store::InboxOutcome::conflict:
      return "conflict";
  }
  return "?";
}

Result<store::InboxRecord> make_record(std::string_view raw, const wsb::Organisation& recipient,
                                       std::string source, const wsb::Rules& rules,
                                       TimePoint received_at) {
  auto parsed = wsb::parse(raw);
  if (!parsed && parsed.error().code != static_cast<int>(wsb::WsbErrc::not_a_document)) {
    return parsed.error();  // not JSON at all
  }
  // JSON that is not a WSB document (a string, an array of three…) is still DFDG's message:
  // stored and quarantined as a schema problem, never refused (DFDG would retry it for hours).
  const wsb::Document doc = parsed ? std::move(parsed.value()) : wsb::Document{};
  const wsb::Classification verdict =
      parsed ? wsb::classify(doc, recipient, rules)
             : wsb::Classification{wsb::Verdict::quarantined, wsb::kReasonSchema,
                                   parsed.error().message};
  const wsb::Header& h = doc.fields;
  store::InboxRecord r;
  // Leading and trailing white space is not part of the message: a document re-sent with
  // another line ending (or read from an NDJSON line) is the same message, not a conflict.
  std::string_view content = raw;
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.front()))) {
    content.remove_prefix(1);
  }
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.remove_suffix(1);
  }
  r.sha256 = sha256_hex(content);
  // Without a BeskedIdentifier (a schema problem, quarantined) the bytes themselves are the key,
  // so an identical re-delivery is still recognised.
  r.besked_identifier = h.besked_identifier.empty() ? "sha256:" + r.sha256 : h.besked_identifier;
  r.raw = std::string(raw);
  r.source = std::move(source);
  r.recipient_type = recipient.type;
  r.recipient_code = recipient.code;
  r.layout = parsed ? wsb::to_string(doc.layout) : "none";
  r.status = verdict.verdict == wsb::Verdict::accepted ? "accepted" : "quarantined";
  r.reason = verdict.reason;
  r.detail = verdict.detail;
  r.cpr = h.identifikation;
  r.ekstern_identifier = h.ekstern_identifier;
  r.entitetstype_id = h.entitetstype_id;
  r.aendringstype_id = h.aendringstype_id;
  r.miljoe = h.miljoe;
  r.haendelses_tid = h.haendelses_tid;
  r.received_at = received_at;
  return r;
}

}  // namespace bridge::webhook
