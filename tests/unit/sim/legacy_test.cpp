// Legacy mode: the template language (bridge/sim/legacy_template.h), the messages per step and
// the injections (bridge/sim/legacy_plan.h), with small inline templates and with the real ones
// in bridge/sim/legacy/.

#include "bridge/sim/legacy_plan.h"
#include "bridge/sim/legacy_template.h"
#include "tests/unit/sim/sim_fixtures.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

namespace bridge::sim::test {
namespace {

const char* kCodes = R"({
  "samtaletype": {"description": "t", "codes": {"4": 4, "7": 7, "10": 10}},
  "renamed": {"description": "t", "codes": {"1": "one", "2": "two"}}
})";

TemplateSet parse_one(const std::string& text, const std::string& codes = kCodes) {
  auto set = TemplateSet::parse({{"T.xml", text}}, codes, "mem");
  BRIDGE_REQUIRE_OK(set);
  return std::move(set).value();
}

std::string render(const TemplateSet& set, const Json& model) {
  auto r = set.render("T", model);
  BRIDGE_REQUIRE_OK(r);
  return r.value().xml;
}

std::string render_error(const std::string& text, const Json& model) {
  auto set = parse_one(text);
  auto r = set.render("T", model);
  BOOST_REQUIRE_MESSAGE(!r, "expected a render error");
  return r.error().message;
}

TemplateSet real_templates() {
  auto set = TemplateSet::load(source_path("bridge/sim/legacy"));
  BRIDGE_REQUIRE_OK(set);
  return std::move(set).value();
}

struct PlanFixture {
  explicit PlanFixture(std::vector<std::string> files, std::uint64_t seed = 1)
      : templates(real_templates()), uuids(seed) {
    for (const auto& f : files) scenarios.push_back(load_fixture(f));
    std::vector<const Scenario*> list;
    for (const auto& s : scenarios) list.push_back(&s);
    auto built = LegacyPlan::build(list, templates, uuids);
    BRIDGE_REQUIRE_OK(built);
    plan = std::move(built).value();
  }
  Result<void> inject(const std::string& text) {
    auto spec = parse_injection(text);
    if (!spec) return spec.error();
    return plan.inject(spec.value(), uuids);
  }
  // Places an injection; the test stops when it does not fit.
  void require(const std::string& text) {
    const Result<void> r = inject(text);
    BRIDGE_REQUIRE_OK(r);
  }
  std::string xml(std::size_t message) {
    auto r = plan.render(message, "2024-01-01T00:00:00.000Z");
    BRIDGE_REQUIRE_OK(r);
    return r.value();
  }
  std::vector<Scenario> scenarios;
  TemplateSet templates;
  UuidGenerator uuids;
  LegacyPlan plan;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(legacy_template)

BOOST_AUTO_TEST_CASE(optional_sections_are_left_out_without_a_value) {
  const auto set = parse_one(
      "<A>\n  {{#x}}<X>{{.}}</X>{{/x}}\n  {{#y}}<Y>{{.}}</Y>{{/y}}\n  {{#z}}<Z>{{.}}</Z>{{/z}}\n"
      "  {{#f}}<F>{{.}}</F>{{/f}}\n  {{^y}}<NoY/>{{/y}}\n</A>\n");
  BOOST_TEST(render(set, Json{{"x", "1"}, {"y", nullptr}, {"z", ""}, {"f", false}}) ==
             "<A><X>1</X><F>false</F><NoY/></A>");
  BOOST_TEST(render(set, Json{{"y", 2}}) == "<A><Y>2</Y></A>");
}

BOOST_AUTO_TEST_CASE(lists_repeat_and_elements_never_take_an_outer_member) {
  const auto set = parse_one(
      "{{#list.0}}<C>{{#list}}<P>{{#name}}<N>{{.}}</N>{{/name}}{{#email}}<E>{{.}}</E>{{/email}}"
      "</P>{{/list}}</C>{{/list.0}}");
  const Json model{
      {"list", Json::array({Json{{"name", "a"}, {"email", "a@x"}}, Json{{"name", "b"}}})}};
  // The second element has no email: it must not take the first one's.
  BOOST_TEST(render(set, model) == "<C><P><N>a</N><E>a@x</E></P><P><N>b</N></P></C>");
  BOOST_TEST(render(set, Json{{"list", Json::array()}}).empty());
  BOOST_TEST(render(set, Json::object()).empty());
}

BOOST_AUTO_TEST_CASE(code_tables_translate_known_codes_and_pass_unknown_ones) {
  const auto set = parse_one("<A>{{a|renamed}}</A><B>{{b|renamed}}</B><C>{{c|samtaletype}}</C>");
  BOOST_TEST(render(set, Json{{"a", 1}, {"b", 9}, {"c", "7"}}) == "<A>one</A><B>9</B><C>7</C>");
  auto bad = TemplateSet::parse({{"T.xml", "<A>{{a|nope}}</A>"}}, kCodes, "mem");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(contains(bad.error().message, "mem/T.xml:1: no code table 'nope'"));
}

BOOST_AUTO_TEST_CASE(values_are_escaped) {
  const auto set = parse_one("<A k=\"{{v}}\">{{v}}</A>");
  BOOST_TEST(render(set, Json{{"v", "a&b<c>d\"e'f"}}) ==
             "<A k=\"a&amp;b&lt;c&gt;d&quot;e&apos;f\">a&amp;b&lt;c&gt;d&quot;e&apos;f</A>");
  BOOST_TEST(xml_escape(std::string("x\x01y\rz\t")) == "xy&#13;z\t");
}

BOOST_AUTO_TEST_CASE(numbers_and_booleans_are_written_as_xsd_values) {
  const auto set = parse_one("<A>{{i}}</A><B>{{d}}</B><C>{{b}}</C>");
  BOOST_TEST(render(set, Json{{"i", 30}, {"d", 30.0}, {"b", true}}) ==
             "<A>30</A><B>30</B><C>true</C>");
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_line) {
  BOOST_TEST(contains(render_error("<A>\n<B>{{a.b}}</B>\n</A>", Json{{"a", Json::object()}}),
                      "T.xml:2: {{a.b}} has no value"));
  BOOST_TEST(contains(render_error("<A>{{a}}</A>", Json{{"a", Json::object()}}),
                      "{{a}} is object, not a value"));
  auto unclosed = TemplateSet::parse({{"T.xml", "<A>\n{{#a}}<B/>\n</A>"}}, kCodes, "mem");
  BOOST_REQUIRE(!unclosed);
  BOOST_TEST(contains(unclosed.error().message, "mem/T.xml:2: {{#a}} is never closed"));
  auto crossed = TemplateSet::parse({{"T.xml", "{{#a}}{{#b}}{{/a}}{{/b}}"}}, kCodes, "mem");
  BOOST_REQUIRE(!crossed);
  BOOST_TEST(contains(crossed.error().message, "{{/a}} closes {{#b}}"));
  auto partial = TemplateSet::parse({{"T.xml", "{{>_missing}}"}}, kCodes, "mem");
  BOOST_REQUIRE(!partial);
  BOOST_TEST(contains(partial.error().message, "no partial _missing.xml"));
}

BOOST_AUTO_TEST_CASE(partials_render_in_place) {
  auto set = TemplateSet::parse({{"T.xml", "<A>{{>_p}}</A>"}, {"_p.xml", "<P>{{v}}</P>\n"}}, kCodes,
                                "mem");
  BRIDGE_REQUIRE_OK(set);
  BOOST_TEST(render(set.value(), Json{{"v", "x"}}) == "<A><P>x</P></A>");
}

BOOST_AUTO_TEST_CASE(rendering_reports_element_paths_values_and_optional_elements) {
  const auto set = parse_one(
      "<M xmlns=\"urn:x\" xmlns:p=\"urn:p\"><p:Code>{{c|samtaletype}}</p:Code></M>\n"
      "{{#t}}<T>{{.}}</T>{{/t}}<R>{{r}}</R>");
  auto r = set.render("T", Json{{"c", 10}, {"t", "x"}, {"r", "y"}});
  BRIDGE_REQUIRE_OK(r);
  const Rendered& out = r.value();
  BOOST_REQUIRE_EQUAL(out.elements.size(), 4u);
  BOOST_TEST(out.elements[0].path == "M");
  BOOST_TEST(!out.elements[0].leaf);
  BOOST_TEST(out.elements[1].path == "M/Code");
  BOOST_TEST(out.elements[2].path == "T");
  BOOST_TEST(out.elements[2].optional);
  BOOST_TEST(!out.elements[3].optional);
  BOOST_REQUIRE_EQUAL(out.values.size(), 3u);
  BOOST_TEST(out.values[0].path == "M/Code");
  BOOST_TEST(out.values[0].table == "samtaletype");
  BOOST_TEST(out.xml.substr(out.values[0].begin, out.values[0].end - out.values[0].begin) == "10");
}

BOOST_AUTO_TEST_CASE(the_real_templates_load) {
  const TemplateSet set = real_templates();
  for (const char* op : {"GetIndkaldelseVersion1", "GetIndkaldelseshaendelseVersion1",
                         "GetAkasseIndkaldelseVersion1"}) {
    BOOST_TEST(set.has(op));
  }
  BOOST_TEST(set.table("samtaletype") != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(legacy_plan)

BOOST_AUTO_TEST_CASE(messages_follow_expect_in_recipient_and_operation_order) {
  PlanFixture f({"joint_participants.json"});
  const auto& m = f.plan.messages();
  BOOST_REQUIRE_EQUAL(m.size(), 6u);  // two steps: jc both, ak GetAkasse
  BOOST_TEST(m[0].organisation.path() == "8/44000");
  BOOST_TEST(m[0].operation == "GetIndkaldelseVersion1");
  BOOST_TEST(m[1].operation == "GetIndkaldelseshaendelseVersion1");
  BOOST_TEST(m[2].organisation.path() == "9/5105");
  BOOST_TEST(m[2].operation == "GetAkasseIndkaldelseVersion1");
  BOOST_TEST(m[3].step->id == "participant");
  BOOST_TEST(f.plan.organisations().size() == 2u);
  const std::string akasse = f.xml(2);
  BOOST_TEST(contains(akasse,
                      "<InterviewTypeIdentifier xmlns=\"http://service.bm.dk/pjaktass/"
                      "wsrm/11/\">17</InterviewTypeIdentifier>"));
  BOOST_TEST(contains(akasse, "<Name>Jesper Vang Nørgaard</Name>"));
  BOOST_TEST(contains(akasse, "<rum:RegistrationDateTime>2024-06-13T09:41:27.642118+02:00"));
  BOOST_TEST(contains(akasse, "<MessageIdentifier>" + m[2].message_identifier + "<"));
}

BOOST_AUTO_TEST_CASE(a_delete_shows_the_last_visible_state_as_deleted) {
  PlanFixture f({"delete.json"});
  const auto& m = f.plan.messages();
  BOOST_REQUIRE_EQUAL(m.size(), 3u);
  BOOST_TEST(m[2].step->id == "delete");
  const std::string xml = f.xml(2);
  BOOST_TEST(contains(xml, ">3</IndkaldelseStatusTypeIdentifier>"));
  BOOST_TEST(contains(xml, "<InterviewTypeIdentifier"));
}

BOOST_AUTO_TEST_CASE(wrong_code_changes_the_first_code_of_the_item_to_another_valid_one) {
  PlanFixture f({"create.json"});
  f.require("wrong-code");
  const Injection& inj = f.plan.injections().at(0);
  BOOST_TEST(inj.message == 0u);
  BOOST_TEST(inj.path == "IndkaldelseStatusTypeIdentifier");
  BOOST_TEST(*inj.original_value == "1");
  BOOST_TEST(*inj.legacy_value == "2");
  BOOST_TEST(contains(f.xml(0), ">2</IndkaldelseStatusTypeIdentifier>"));
  BOOST_TEST(inj.to_json()["organisation"] == "8/44000");
  BOOST_TEST(inj.to_json()["step"] == "create-1");
}

BOOST_AUTO_TEST_CASE(missing_element_leaves_out_an_optional_element) {
  PlanFixture f({"create.json"});
  BOOST_TEST(contains(f.xml(0), "<InterviewTypeIdentifier"));
  f.require("missing-element");
  const Injection& inj = f.plan.injections().at(0);
  BOOST_TEST(inj.path == "InterviewTypeIdentifier");
  BOOST_TEST(!inj.legacy_value);
  BOOST_TEST(*inj.original_value == "7");
  BOOST_TEST(!contains(f.xml(0), "<InterviewTypeIdentifier"));
}

BOOST_AUTO_TEST_CASE(date_precision_truncates_fraction_digits_of_the_same_instant) {
  PlanFixture f({"create.json"});
  f.require("date-precision");
  const Injection& inj = f.plan.injections().at(0);
  BOOST_TEST(inj.path == "WSRMMetadata/RegisteringUser/RegistrationDateTime");
  BOOST_TEST(*inj.original_value == "2024-04-23T12:47:17.154073+02:00");
  BOOST_TEST(*inj.legacy_value == "2024-04-23T12:47:17.154+02:00");
  BOOST_TEST(contains(f.xml(0), ">2024-04-23T12:47:17.154+02:00</rum:RegistrationDateTime>"));
  // The haendelse item's own EventDateTime comes before its metadata.
  f.require("date-precision@create-1");
  BOOST_TEST(f.plan.injections().at(1).message == 1u);
  BOOST_TEST(f.plan.injections().at(1).path == "EventDateTime");
}

BOOST_AUTO_TEST_CASE(extra_message_queues_a_copy_with_a_later_event_time) {
  PlanFixture f({"create.json"});
  f.require("extra-message");
  auto step = f.plan.render_step(f.scenarios[0].steps[0], "2024-01-01T00:00:00.000Z");
  BRIDGE_REQUIRE_OK(step);
  BOOST_REQUIRE_EQUAL(step.value().size(), 3u);
  const LegacyMessage& copy = *step.value()[1].message;
  BOOST_TEST(copy.copy_of.value() == 0u);
  BOOST_TEST(copy.message_identifier != f.plan.messages()[0].message_identifier);
  BOOST_TEST(contains(step.value()[1].item_xml, "2024-04-23T12:47:18.154073+02:00"));
  const Injection& inj = f.plan.injections().at(0);
  BOOST_TEST(inj.path.empty());
  BOOST_TEST(*inj.legacy_value == "2024-04-23T12:47:18.154073+02:00");
}

BOOST_AUTO_TEST_CASE(missing_message_is_never_queued) {
  PlanFixture f({"create.json"});
  f.require("missing-message");
  auto step = f.plan.render_step(f.scenarios[0].steps[0], "2024-01-01T00:00:00.000Z");
  BRIDGE_REQUIRE_OK(step);
  BOOST_REQUIRE_EQUAL(step.value().size(), 1u);
  BOOST_TEST(step.value()[0].message->operation == "GetIndkaldelseshaendelseVersion1");
  BOOST_TEST(f.plan.injections().at(0).operation == "GetIndkaldelseVersion1");
}

BOOST_AUTO_TEST_CASE(the_default_target_is_deterministic_and_a_step_can_be_named) {
  // Other identifiers, the same targets: the order is the files', not the run's.
  PlanFixture a({"update.json", "akasse_own.json"}, 1);
  PlanFixture b({"update.json", "akasse_own.json"}, 99);
  for (const char* kind :
       {"wrong-code", "missing-element", "date-precision", "extra-message", "missing-message"}) {
    a.require(kind);
    b.require(kind);
  }
  BOOST_REQUIRE_EQUAL(a.plan.injections().size(), b.plan.injections().size());
  for (std::size_t i = 0; i < a.plan.injections().size(); ++i) {
    BOOST_TEST(a.plan.injections()[i].to_json().dump() == b.plan.injections()[i].to_json().dump());
  }
  // The second value injection on the same message takes another element.
  BOOST_TEST(a.plan.injections()[0].message == 0u);
  BOOST_TEST(a.plan.injections()[0].step->id == "create");
  BOOST_TEST(a.plan.injections()[4].message != 0u);  // missing-message skips injected messages
  a.require("wrong-code@akasse_own/create-10");
  const Injection& named = a.plan.injections().back();
  BOOST_TEST(named.step->label() == "akasse_own/create-10");
  BOOST_TEST(named.organisation.path() == "9/5105");
}

BOOST_AUTO_TEST_CASE(bad_kinds_and_inapplicable_injections_are_errors) {
  auto bad = parse_injection("wrong-thing@x");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(contains(bad.error().message, "unknown kind 'wrong-thing'"));
  PlanFixture f({"hidden_update.json"});
  auto none = f.inject("extra-message@hidden-update");
  BOOST_REQUIRE(!none);
  BOOST_TEST(contains(none.error().message, "no applicable legacy message in step hidden-update"));
}

BOOST_AUTO_TEST_CASE(date_time_helpers_keep_the_lexical_form) {
  BOOST_TEST(truncate_fraction("2024-04-23T12:47:17.154073+02:00").value() ==
             "2024-04-23T12:47:17.154+02:00");
  BOOST_TEST(truncate_fraction("2024-04-23T12:47:17.15Z").value() == "2024-04-23T12:47:17Z");
  BOOST_TEST(!truncate_fraction("2024-04-23T12:47:17+02:00"));
  BOOST_TEST(shift_date_time("2024-12-31T23:59:59.5+01:00", 1).value() ==
             "2025-01-01T00:00:00.5+01:00");
  BOOST_TEST(!shift_date_time("not a time", 1));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace bridge::sim::test
