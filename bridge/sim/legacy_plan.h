#pragma once
// Legacy mode (docs/simulator.md, "Legacy mode"): the messages the legacy DFDG WSRM system would
// have queued for each step — one per operation that the step's hand-written `expect` names for
// an organisation — rendered from the simulator's own templates, and the differences injected on
// purpose (--inject) for tests and demos of the comparison tools.
//
// The order is fixed before anything runs: scenario file order, step order, recipient order (the
// step's recipients, then the other organisations in the file's order), operation order
// (GetIndkaldelse…, GetIndkaldelseshaendelse…, GetAkasseIndkaldelse…). Injections without a step
// take the first applicable message in that order, never the order things happen at run time.

#include "bridge/core/result.h"
#include "bridge/core/uuid.h"
#include "bridge/sim/legacy_template.h"
#include "bridge/sim/scenario.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge::sim {

enum class InjectionKind {
  wrong_code,
  missing_element,
  date_precision,
  extra_message,
  missing_message
};

const char* to_string(InjectionKind kind);

// --inject KIND[@STEP_ID]; STEP_ID is a step id or "scenario/step id".
struct InjectionSpec {
  InjectionKind kind = InjectionKind::wrong_code;
  std::string step;  // empty: the first applicable message of the run
  std::string text;  // as given, for messages
};

// A bad KIND is an error naming it (ErrorDomain::config, SimErrc::legacy_plan).
Result<InjectionSpec> parse_injection(std::string_view text);

// One difference the legacy side has on purpose.
struct Injection {
  InjectionKind kind = InjectionKind::wrong_code;
  const Step* step = nullptr;
  Organisation organisation;
  std::string operation;
  std::string path;  // element path in the item ("WSRMMetadata/…"); empty for a whole message
  std::optional<std::string> legacy_value;    // what the legacy item has (none: left out)
  std::optional<std::string> original_value;  // what the item has without the injection
  std::size_t message = 0;                    // index into LegacyPlan::messages()
  std::size_t target = 0;  // a RenderedValue (wrong-code, date-precision) or RenderedElement

  // {"kind", "scenario", "step", "organisation": "8/44000", "operation", "indkaldelse", "path",
  //  "legacy_value", "original_value"} (null where there is no value).
  Json to_json() const;
};

struct LegacyMessage {
  const Step* step = nullptr;
  Organisation organisation;  // the consumer's organisation
  std::string operation;
  std::string message_identifier;       // the legacy system's own: a fresh GUID
  Json model;                           // the template's input, without "message"
  bool skipped = false;                 // missing-message: never queued
  std::optional<std::size_t> copy_of;   // extra-message: a copy of that message
  std::vector<std::size_t> injections;  // value injections (indexes into injections())
};

// One message ready to queue.
struct RenderedMessage {
  const LegacyMessage* message = nullptr;
  std::string item_xml;
};

class LegacyPlan {
 public:
  LegacyPlan() = default;  // empty; build() makes a usable one
  // The messages of every step of `scenarios` (in this order). Each is rendered once here, so a
  // template that cannot render a step fails before anything is served or pushed.
  static Result<LegacyPlan> build(const std::vector<const Scenario*>& scenarios,
                                  const TemplateSet& templates, UuidGenerator& uuids);

  // Places one injection; an error when no message fits it (or its step has none).
  Result<void> inject(const InjectionSpec& spec, UuidGenerator& uuids);

  // The messages of `step` to queue, in queue order, rendered with MessageQueuedDateTime
  // `queued_at` and their injections applied.
  Result<std::vector<RenderedMessage>> render_step(const Step& step,
                                                   const std::string& queued_at) const;
  Result<std::string> render(std::size_t message, const std::string& queued_at) const;

  const std::vector<LegacyMessage>& messages() const { return messages_; }
  const std::vector<Injection>& injections() const { return injections_; }
  // Every organisation of the scenarios, once per type/code, in file order.
  const std::vector<Organisation>& organisations() const { return organisations_; }

 private:
  explicit LegacyPlan(const TemplateSet& templates) : templates_(&templates) {}
  Result<Rendered> render_plain(std::size_t message, const std::string& queued_at) const;
  bool overlaps(std::size_t message, std::size_t begin, std::size_t end,
                const Rendered& rendered) const;

  const TemplateSet* templates_ = nullptr;  // outlives the plan
  std::vector<LegacyMessage> messages_;
  std::vector<Injection> injections_;
  std::vector<Organisation> organisations_;
  std::map<const Step*, std::vector<std::size_t>> by_step_;  // queue order
};

// Whether `step` is what an --inject STEP_ID names: its id, or "scenario/id".
bool step_matches(const Step& step, std::string_view id);

// xsd:dateTime helpers for the injections: `text` with fewer fraction digits (more than 3: 3;
// else none), or nullopt when it has none; and `text` moved by `seconds`, keeping its offset and
// fraction digits (nullopt when it is not a dateTime this can read).
std::optional<std::string> truncate_fraction(std::string_view text);
std::optional<std::string> shift_date_time(std::string_view text, int seconds);

}  // namespace bridge::sim
