// Tests bridge/compare/compare.cpp and rules.cpp: pairs of items compared field by field (the
// bridge's item for the seed against hand-edited legacy copies of it), matching by key, ignore
// rules, the noise baseline, thresholds and attribution to the mapping row. Every legacy variant
// is an explicit text edit of the bridge's item, so each expectation follows from the edit.
#include "bridge/compare/compare.h"

#include "tests/unit/mapping/fixtures.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace {

using namespace bridge::compare;
using bridge::mapping::test::load_real;
using bridge::mapping::test::read_file;
using bridge::mapping::test::replace_all;
using bridge::mapping::test::seed_inputs;
using bridge::mapping::test::source_path;

const std::string kOp = "GetIndkaldelseVersion1";

struct Fixture {
  std::shared_ptr<bridge::mapping::MappingSet> mappings = load_real();
  bridge::mapping::Schema schema =
      bridge::mapping::Schema::load_directory(source_path("wsdl/xsd")).value();

  Rules real_rules() const {
    auto r = Rules::load(source_path("mappings/compare/rules.toml"));
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    return std::move(r).value();
  }
  Comparer comparer(Rules rules) const {
    auto c = Comparer::create(mappings, schema, std::move(rules));
    BOOST_REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
    return std::move(c).value();
  }
  Comparer comparer() const { return comparer(real_rules()); }

  // The bridge's item content for the seed, as the pipeline queues it.
  std::string bridge_xml(const std::string& op = kOp) const {
    auto in = seed_inputs();
    auto r = mappings->forward(op, in.sources());
    BOOST_REQUIRE(r);
    return r.value().item_xml;
  }
  static Item item(const std::string& xml, const std::string& origin, const std::string& op = kOp) {
    auto i = parse_item(op, xml, origin);
    BOOST_REQUIRE_MESSAGE(i, (i ? "" : i.error().message));
    return std::move(i).value();
  }
};

std::vector<FieldResult> not_equal(const std::vector<FieldResult>& all) {
  std::vector<FieldResult> out;
  for (const auto& f : all) {
    if (f.outcome != Outcome::equal) out.push_back(f);
  }
  return out;
}

std::string describe(const std::vector<FieldResult>& fs) {
  std::string out;
  for (const auto& f : fs) {
    out += "\n  " + f.path + " " + to_string(f.outcome) + " '" + f.legacy + "' '" + f.bridge +
           "' " + f.reason;
  }
  return out.empty() ? " (none)" : out;
}

const FieldStats* stats_of(const RunResult& r, const std::string& field) {
  for (const auto& f : r.fields) {
    if (f.field == field) return &f;
  }
  return nullptr;
}

}  // namespace

namespace bridge::compare {
// For Boost.Test's messages.
std::ostream& operator<<(std::ostream& out, Outcome o) { return out << to_string(o); }
std::ostream& operator<<(std::ostream& out, Standing s) { return out << to_string(s); }
}  // namespace bridge::compare

BOOST_FIXTURE_TEST_SUITE(comparing_pairs, Fixture)

BOOST_AUTO_TEST_CASE(the_same_item_is_equal_in_every_leaf) {
  const std::string xml = bridge_xml();
  const auto results = comparer().compare_pair(item(xml, "l"), item(xml, "b"));
  BOOST_TEST(results.size() > 30u);  // every leaf of the seed item is visited
  BOOST_TEST(not_equal(results).empty(), describe(not_equal(results)));
}

BOOST_AUTO_TEST_CASE(a_wrong_code_is_different_and_names_the_path) {
  const std::string bridge = bridge_xml();
  const std::string legacy =
      replace_all(bridge, ">7</InterviewTypeIdentifier>", ">4</InterviewTypeIdentifier>");
  const auto diffs = not_equal(comparer().compare_pair(item(legacy, "l"), item(bridge, "b")));
  BOOST_REQUIRE_EQUAL(diffs.size(), 1u);
  BOOST_TEST(diffs[0].path == "InterviewTypeIdentifier");
  BOOST_TEST(diffs[0].outcome == Outcome::different);
  BOOST_TEST(diffs[0].legacy == "4");
  BOOST_TEST(diffs[0].bridge == "7");
}

BOOST_AUTO_TEST_CASE(date_precision_alone_is_equivalent_with_the_reason) {
  const std::string bridge = bridge_xml();
  const std::string legacy =
      replace_all(bridge, "2024-04-23T12:47:17.154073+02:00", "2024-04-23T10:47:17.154Z");
  const auto diffs = not_equal(comparer().compare_pair(item(legacy, "l"), item(bridge, "b")));
  BOOST_REQUIRE_EQUAL(diffs.size(), 1u);
  BOOST_TEST(diffs[0].field == "WSRMMetadata/RegisteringUser/RegistrationDateTime");
  BOOST_TEST(diffs[0].outcome == Outcome::equivalent);
  BOOST_TEST(diffs[0].reason.find("fraction digit") != std::string::npos, diffs[0].reason);
}

BOOST_AUTO_TEST_CASE(an_element_only_one_side_has_is_missing_or_extra) {
  const std::string bridge = bridge_xml();
  const std::string title =
      "<Title xmlns=\"http://service.bm.dk/pjaktass/wsrm/11/\">Jobsamtale</Title>";
  BOOST_REQUIRE_MESSAGE(bridge.find(title) != std::string::npos, bridge);
  const std::string without = replace_all(bridge, title, "");
  auto diffs = not_equal(comparer().compare_pair(item(without, "l"), item(bridge, "b")));
  BOOST_REQUIRE_EQUAL(diffs.size(), 1u);
  BOOST_TEST(diffs[0].path == "Title");
  BOOST_TEST(diffs[0].outcome == Outcome::extra);  // the bridge has it, the legacy item not
  diffs = not_equal(comparer().compare_pair(item(bridge, "l"), item(without, "b")));
  BOOST_REQUIRE_EQUAL(diffs.size(), 1u);
  BOOST_TEST(diffs[0].outcome == Outcome::missing);
  BOOST_TEST(diffs[0].legacy == "Jobsamtale");
}

BOOST_AUTO_TEST_CASE(namespaces_are_compared_by_uri_not_by_prefix) {
  const std::string ns = "http://service.bm.dk/pjaktass/wsrm/11/";
  const std::string legacy = "<p:IndkaldelseIdentifier xmlns:p=\"" + ns +
                             "\">abc</p:IndkaldelseIdentifier><Title xmlns=\"" + ns +
                             "\">T</Title>";
  const std::string bridge = "<IndkaldelseIdentifier xmlns=\"" + ns +
                             "\">abc</IndkaldelseIdentifier><q:Title xmlns:q=\"" + ns +
                             "\">T</q:Title>";
  BOOST_TEST(not_equal(comparer().compare_pair(item(legacy, "l"), item(bridge, "b"))).empty());

  // The same local name in another namespace is another element.
  const std::string other = "<IndkaldelseIdentifier xmlns=\"" + ns +
                            "\">abc</IndkaldelseIdentifier><Title xmlns=\"urn:other\">T</Title>";
  const auto diffs = not_equal(comparer().compare_pair(item(legacy, "l"), item(other, "b")));
  BOOST_REQUIRE_MESSAGE(diffs.size() == 2u, describe(diffs));
  BOOST_TEST(diffs[0].path == "Title");
  BOOST_TEST(diffs[0].outcome == Outcome::missing);
  BOOST_TEST(diffs[1].path == "{urn:other}Title");
  BOOST_TEST(diffs[1].outcome == Outcome::extra);
}

BOOST_AUTO_TEST_CASE(repeated_participants_are_matched_by_their_configured_key) {
  const std::string bridge = bridge_xml();
  // Swap the two participants: the legacy service lists them in another order.
  const std::string open = "<AuthorityParticipant>";
  const auto first = bridge.find(open);
  const auto second = bridge.find(open, first + 1);
  const auto end = bridge.find("</AuthorityParticipantCollection>");
  BOOST_REQUIRE(first != std::string::npos && second != std::string::npos &&
                end != std::string::npos);
  const std::string legacy = bridge.substr(0, first) + bridge.substr(second, end - second) +
                             bridge.substr(first, second - first) + bridge.substr(end);
  BOOST_REQUIRE(legacy != bridge);
  BOOST_TEST(not_equal(comparer().compare_pair(item(legacy, "l"), item(bridge, "b"))).empty());

  // Without the [[repeat]] rule they are paired by position and every differing leaf shows.
  Rules positional = real_rules();
  positional.repeats.clear();
  const auto diffs =
      not_equal(comparer(positional).compare_pair(item(legacy, "l"), item(bridge, "b")));
  BOOST_TEST(!diffs.empty());
  BOOST_TEST(diffs[0].path.find("AuthorityParticipant[1]/") != std::string::npos, describe(diffs));
}

BOOST_AUTO_TEST_CASE(values_are_compared_by_their_xsd_type) {
  const std::string bridge = bridge_xml();
  // ReBookingPossible is xsd:boolean, DurationMinutes xsd:int.
  std::string legacy = replace_all(bridge, ">true</ReBookingPossible>", ">1</ReBookingPossible>");
  legacy = replace_all(legacy, ">30</DurationMinutes>", ">030</DurationMinutes>");
  const auto diffs = not_equal(comparer().compare_pair(item(legacy, "l"), item(bridge, "b")));
  BOOST_REQUIRE_MESSAGE(diffs.size() == 2u, describe(diffs));
  for (const auto& d : diffs) BOOST_TEST(d.outcome == Outcome::equivalent, d.path);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(runs, Fixture)

BOOST_AUTO_TEST_CASE(a_clean_run_passes_apart_from_the_ignored_identifiers) {
  const std::string bridge = bridge_xml();
  const std::string legacy = replace_all(bridge, "6f1c2b9e-0d4a-5c3e-9a7b-2e4f6a8c0d11",
                                         "11111111-2222-4333-8444-555555555555");
  const RunResult r = comparer().run({item(legacy, "l")}, {item(bridge, "b")}, nullptr);
  BOOST_TEST(r.passed);
  BOOST_REQUIRE_EQUAL(r.operations.size(), 1u);
  BOOST_TEST(r.operations[0].pairs == 1);
  BOOST_TEST(r.operations[0].pairs_with_differences == 0);
  const FieldStats* id = stats_of(r, "WSRMMetadata/MessageIdentifier");
  BOOST_REQUIRE(id);
  BOOST_TEST(id->different == 1);
  BOOST_TEST(id->ignored == 1);  // counted separately, never dropped
  BOOST_TEST(id->counted() == 0);
  BOOST_TEST(id->ignore_reason.find("MessageIdentifier") != std::string::npos);
  BOOST_TEST(id->ignore_rule.find("rules.toml:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_difference_fails_the_run_and_names_the_mapping_row) {
  const std::string bridge = bridge_xml();
  const std::string legacy =
      replace_all(bridge, ">7</InterviewTypeIdentifier>", ">4</InterviewTypeIdentifier>");
  const RunResult r = comparer().run({item(legacy, "l")}, {item(bridge, "b")}, nullptr);
  BOOST_TEST(!r.passed);
  const FieldStats* f = stats_of(r, "InterviewTypeIdentifier");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->row == "_indkaldelse_fields.toml#samtaletype");
  BOOST_TEST(f->counted() == 1);
  BOOST_TEST(f->exceeded);
  BOOST_REQUIRE(!r.differences.empty());
  const auto d = std::find_if(r.differences.begin(), r.differences.end(), [](const auto& x) {
    return x.field.field == "InterviewTypeIdentifier";
  });
  BOOST_REQUIRE(d != r.differences.end());
  BOOST_TEST(d->row == "_indkaldelse_fields.toml#samtaletype");
  BOOST_TEST(d->standing == Standing::counted);
  BOOST_TEST(d->key.find("xxxxxxxx-54a7-4f3b-9b81-dd2661e45600") != std::string::npos, d->key);

  // A field threshold above the observed rate lets the run pass, the difference still counted.
  Rules lenient = real_rules();
  lenient.field_thresholds.push_back({"", "InterviewTypeIdentifier", 1.0, "test"});
  lenient.message_rate = 1.0;
  const RunResult r2 = comparer(lenient).run({item(legacy, "l")}, {item(bridge, "b")}, nullptr);
  BOOST_TEST(r2.passed);
  BOOST_TEST(stats_of(r2, "InterviewTypeIdentifier")->counted() == 1);
}

BOOST_AUTO_TEST_CASE(messages_are_matched_by_key_and_the_unmatched_are_reported_per_side) {
  const std::string bridge = bridge_xml();
  const std::string other_time =
      replace_all(bridge, "2024-04-23T12:47:17.154073+02:00", "2024-04-24T08:00:00+02:00");
  // Legacy: the seed message (with lower precision) and one more; bridge: the seed message and
  // another one with an event time the legacy side never sent.
  const std::string legacy_seed =
      replace_all(bridge, "2024-04-23T12:47:17.154073+02:00", "2024-04-23T12:47:17.154+02:00");
  const std::string legacy_extra =
      replace_all(bridge, "2024-04-23T12:47:17.154073+02:00", "2024-04-25T08:00:00+02:00");
  const RunResult r = comparer().run({item(legacy_extra, "l1"), item(legacy_seed, "l2")},
                                     {item(other_time, "b1"), item(bridge, "b2")}, nullptr);
  BOOST_REQUIRE_EQUAL(r.operations.size(), 1u);
  const auto& op = r.operations[0];
  BOOST_TEST(op.pairs == 1);
  BOOST_REQUIRE_EQUAL(op.legacy_only.size(), 1u);
  BOOST_TEST(op.legacy_only[0].origin == "l1");
  BOOST_REQUIRE_EQUAL(op.bridge_only.size(), 1u);
  BOOST_TEST(op.bridge_only[0].origin == "b1");
  BOOST_TEST(op.pairs_equivalent_only == 1);  // the precision of the key's own dateTime
  BOOST_TEST(!r.passed);                      // unmatched messages exceed the threshold 0
}

BOOST_AUTO_TEST_CASE(a_noise_baseline_takes_a_field_that_differs_between_legacy_recordings_out) {
  const std::string bridge = bridge_xml();
  const std::string titled = replace_all(bridge, ">Jobsamtale</", ">Jobsamtale (legacy)</");
  // Legacy recording A and B disagree on Title; the bridge agrees with neither on it.
  const std::string legacy_a = titled;
  const std::string legacy_b = bridge;
  const std::string bridge_side = replace_all(bridge, ">Jobsamtale</", ">Samtale</");
  const std::vector<Item> noise = {item(legacy_b, "n")};
  const RunResult with = comparer().run({item(legacy_a, "l")}, {item(bridge_side, "b")}, &noise);
  const FieldStats* f = stats_of(with, "Title");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->noise == 1);
  BOOST_TEST(f->noise_rate == 1.0);
  BOOST_TEST(f->counted() == 0);
  BOOST_TEST(with.passed);
  const RunResult without =
      comparer().run({item(legacy_a, "l")}, {item(bridge_side, "b")}, nullptr);
  BOOST_TEST(stats_of(without, "Title")->counted() == 1);
  BOOST_TEST(!without.passed);
}

BOOST_AUTO_TEST_CASE(a_field_that_differs_far_more_often_than_its_noise_still_counts) {
  const std::string bridge = bridge_xml();
  const auto with_time = [&](const std::string& t) {
    return replace_all(bridge, "2024-04-23T12:47:17.154073+02:00", t);
  };
  std::vector<Item> legacy, bridge_side, noise;
  for (int i = 0; i < 10; ++i) {
    const std::string t = "2024-05-0" + std::to_string(i) + "T10:00:00+02:00";
    legacy.push_back(item(with_time(t), "l"));
    noise.push_back(
        item(i == 0 ? replace_all(with_time(t), ">Jobsamtale</", ">X</") : with_time(t), "n"));
    bridge_side.push_back(item(replace_all(with_time(t), ">Jobsamtale</", ">Y</"), "b"));
  }
  const RunResult r = comparer().run(legacy, bridge_side, &noise);
  const FieldStats* f = stats_of(r, "Title");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->noise_rate == 0.1);
  BOOST_TEST(f->counted() == 10);  // 100 % against 10 % noise: not noise
  BOOST_TEST(!r.passed);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(rules_file, Fixture)

BOOST_AUTO_TEST_CASE(the_shipped_rules_load_and_check_against_the_xsd) {
  const Rules r = real_rules();
  BOOST_TEST(r.keys.size() == 3u);
  BOOST_TEST(r.ignores.size() >= 2u);
  for (const auto& i : r.ignores) BOOST_TEST(!i.reason.empty());
  comparer();
}

BOOST_AUTO_TEST_CASE(an_unknown_key_is_an_error_at_its_line) {
  const auto r = Rules::parse(
      "[match]\nkey_fraction_digits = 0\n\n[[ignore]]\npath = \"Title\"\nreasn = \"x\"\n",
      "rules.toml");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("rules.toml:") != std::string::npos, r.error().message);
  const bool named = r.error().message.find("reason is required") != std::string::npos ||
                     r.error().message.find("unknown key 'reasn'") != std::string::npos;
  BOOST_TEST(named, r.error().message);
}

BOOST_AUTO_TEST_CASE(an_ignore_rule_without_a_reason_is_refused) {
  const auto r = Rules::parse("[[ignore]]\npath = \"Title\"\n", "rules.toml");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("rules.toml:1") != std::string::npos, r.error().message);
  BOOST_TEST(r.error().message.find("reason is required") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_rate_outside_zero_to_one_is_refused) {
  const auto r = Rules::parse("[thresholds]\nfield_rate = 5\n", "rules.toml");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().message.find("rules.toml:2") != std::string::npos, r.error().message);
}

BOOST_AUTO_TEST_CASE(a_path_that_is_not_in_the_xsd_is_refused_with_its_line) {
  std::string text = read_file(source_path("mappings/compare/rules.toml"));
  text += "\n[[ignore]]\npath = \"WSRMMetadata/MesageIdentifier\"\nreason = \"typo\"\n";
  auto rules = Rules::parse(text, "rules.toml");
  BOOST_REQUIRE(rules);
  auto c = Comparer::create(mappings, schema, std::move(rules).value());
  BOOST_REQUIRE(!c);
  BOOST_TEST(c.error().message.find("MesageIdentifier") != std::string::npos, c.error().message);
  BOOST_TEST(c.error().message.find("rules.toml:") != std::string::npos, c.error().message);
}

BOOST_AUTO_TEST_CASE(an_operation_without_a_key_is_refused) {
  auto rules = Rules::parse("[match.keys]\nGetIndkaldelseVersion1 = [\"IndkaldelseIdentifier\"]\n",
                            "rules.toml");
  BOOST_REQUIRE(rules);
  auto c = Comparer::create(mappings, schema, std::move(rules).value());
  BOOST_REQUIRE(!c);
  BOOST_TEST(c.error().message.find("no business key") != std::string::npos, c.error().message);
}

BOOST_AUTO_TEST_SUITE_END()
