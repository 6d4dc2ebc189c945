// Tests bridge/wsb/classify.cpp: the required fields, the rule order schema → entity → Miljoe →
// recipient, and the reason codes and details of a quarantine (wsb.h, domain.md §3.2).
#include "bridge/wsb/wsb.h"
#include "tests/unit/wsb/fixtures.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using bridge::wsb::Classification;
using bridge::wsb::classify;
using bridge::wsb::Document;
using bridge::wsb::kReasonMiljoe;
using bridge::wsb::kReasonOtherEntity;
using bridge::wsb::kReasonSchema;
using bridge::wsb::kReasonUnknownRecipient;
using bridge::wsb::Organisation;
using bridge::wsb::Rules;
using bridge::wsb::Verdict;
using bridge::wsb::test::parse_fixture;

// The seed's jobcentre (Kerteminde, 8/44000) is the one this bridge serves; any Miljoe.
const Organisation kKerteminde{8, "44000"};

Rules kerteminde_rules() {
  Rules rules;
  rules.recipients = {kKerteminde, {8, "45000"}};
  return rules;
}

Classification classify_fixture(const std::string& name, const Rules& rules = kerteminde_rules(),
                                const Organisation& recipient = kKerteminde) {
  return classify(parse_fixture(name), recipient, rules);
}

void require_accepted(const Classification& c) {
  BOOST_REQUIRE_MESSAGE(c.verdict == Verdict::accepted, c.reason + ": " + c.detail);
  BOOST_TEST(c.reason.empty());
}

void require_quarantined(const Classification& c, const std::string& reason) {
  BOOST_REQUIRE_MESSAGE(c.verdict == Verdict::quarantined, "accepted, expected " + reason);
  BOOST_REQUIRE_MESSAGE(c.reason == reason, c.reason + ": " + c.detail);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(classify_rules)

BOOST_AUTO_TEST_CASE(seed_example_is_accepted_for_its_recipient) {
  require_accepted(classify_fixture("seed_header_and_body.json"));
}

BOOST_AUTO_TEST_CASE(seed_is_accepted_in_every_layout) {
  for (const char* name : {"seed_flat_with_body.json", "seed_header_body_object.json",
                           "seed_pair_array.json", "seed_header_with_utf8_bom.json"}) {
    BOOST_TEST_CONTEXT(name) { require_accepted(classify_fixture(name)); }
  }
}

BOOST_AUTO_TEST_CASE(anonymised_x_digits_in_ekstern_identifier_are_accepted) {
  // "xxxxxxxx-54a7-…" is the seed's: the seed must flow through the whole bridge.
  const Document d = parse_fixture("seed_header_and_body.json");
  BOOST_TEST(d.fields.ekstern_identifier.starts_with("xxxxxxxx-"));
  require_accepted(classify(d, kKerteminde, kerteminde_rules()));
}

BOOST_AUTO_TEST_CASE(hex_guid_ekstern_identifier_is_accepted) {
  require_accepted(classify_fixture("ekstern_identifier_hex_guid.json"));
}

BOOST_AUTO_TEST_CASE(missing_ekstern_identifier_is_quarantined_as_schema_naming_the_field) {
  const Classification c = classify_fixture("missing_ekstern_identifier.json");
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail == "/EksternIdentifier is missing");
}

BOOST_AUTO_TEST_CASE(ekstern_identifier_that_is_not_a_guid_is_quarantined_as_schema) {
  const Classification c = classify_fixture("ekstern_identifier_not_a_guid.json");
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail ==
             "/EksternIdentifier must be a GUID (8-4-4-4-12 hex digits), not 'indkaldelse-42'");
}

BOOST_AUTO_TEST_CASE(haendelsestid_without_offset_is_quarantined_as_schema) {
  const Classification c = classify_fixture("haendelsestid_without_offset.json");
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail.starts_with("/HaendelsesTid must be a date and time"), c.detail);
}

BOOST_AUTO_TEST_CASE(seven_fraction_digits_and_utc_haendelsestid_are_accepted) {
  require_accepted(classify_fixture("haendelsestid_7_fraction_digits.json"));
  require_accepted(classify_fixture("haendelsestid_no_fraction_z.json"));
}

BOOST_AUTO_TEST_CASE(string_entitetstypeid_is_quarantined_as_schema) {
  const Classification c = classify_fixture("wrong_type_entitetstypeid_string.json");
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail == "/EntitetstypeId must be an integer, not a string");
}

BOOST_AUTO_TEST_CASE(unknown_aendringstype_is_quarantined_as_schema) {
  const Classification c = classify_fixture("aendringstype_unknown_7.json");
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail == "/AendringstypeId must be 1 (Create), 2 (Update) or 3 (Delete), not 7");
}

BOOST_AUTO_TEST_CASE(empty_identifikation_is_quarantined_without_quoting_it) {
  Document d = parse_fixture("seed_header_and_body.json");
  d.fields.identifikation.clear();
  const Classification c = classify(d, kKerteminde, kerteminde_rules());
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail == "/Identifikation is empty");
}

BOOST_AUTO_TEST_CASE(schema_detail_lists_every_failing_required_field_in_order) {
  const auto result = bridge::wsb::parse(R"({"Miljoe": 3})");
  BOOST_REQUIRE(result);
  const Classification c = classify(result.value(), kKerteminde, kerteminde_rules());
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail ==
             "/BeskedIdentifier is missing; /EntitetstypeId is missing; "
             "/EksternIdentifier is missing; /Identifikation is missing; "
             "/AendringstypeId is missing; /HaendelsesTid is missing; "
             "/Miljoe must be a string, not a number");
}

BOOST_AUTO_TEST_CASE(default_document_is_quarantined_as_schema) {
  // classify() must not rely on parse() having run: an empty Document has no required field.
  const Classification c = classify(Document{}, kKerteminde, kerteminde_rules());
  require_quarantined(c, kReasonSchema);
  BOOST_TEST(c.detail.starts_with("/BeskedIdentifier is empty; /EntitetstypeId is missing"),
             c.detail);
}

BOOST_AUTO_TEST_CASE(mistyped_optional_field_is_recorded_but_not_quarantined) {
  // OrganisationKode is not required for acceptance; the Problem stays with the message.
  const Document d = parse_fixture("wrong_type_organisationkode_number.json");
  BOOST_TEST(d.problems.size() == 1u);
  require_accepted(classify(d, kKerteminde, kerteminde_rules()));
}

BOOST_AUTO_TEST_CASE(unknown_haendelsestype_is_accepted_and_passes_through) {
  const Document d = parse_fixture("unknown_haendelsestype.json");
  require_accepted(classify(d, kKerteminde, kerteminde_rules()));
  BOOST_TEST(d.fields.indkaldelsehaendelsestype == 999);
}

BOOST_AUTO_TEST_CASE(message_without_body_is_accepted) {
  require_accepted(classify_fixture("flat_without_body.json"));
}

BOOST_AUTO_TEST_CASE(other_entity_is_quarantined) {
  const Classification c = classify_fixture("entity_90001_frist.json");
  require_quarantined(c, kReasonOtherEntity);
  BOOST_TEST(c.detail == "EntitetstypeId 90001 ('Frist') is not 90000");
}

BOOST_AUTO_TEST_CASE(miljoe_mismatch_is_quarantined_when_an_allow_list_is_set) {
  Rules rules = kerteminde_rules();
  rules.miljoe_allowed = {"P", "PreProd"};
  const Classification c = classify_fixture("miljoe_t3.json", rules);
  require_quarantined(c, kReasonMiljoe);
  BOOST_TEST(c.detail == "Miljoe 'T3' is not in [P, PreProd]");
}

BOOST_AUTO_TEST_CASE(any_miljoe_is_accepted_when_the_allow_list_is_empty) {
  require_accepted(classify_fixture("miljoe_t3.json"));
  require_accepted(classify_fixture("miljoe_p.json"));
}

BOOST_AUTO_TEST_CASE(miljoe_on_the_allow_list_is_accepted) {
  Rules rules = kerteminde_rules();
  rules.miljoe_allowed = {"P"};
  require_accepted(classify_fixture("miljoe_p.json", rules));
}

BOOST_AUTO_TEST_CASE(unknown_recipient_is_quarantined) {
  const Classification c =
      classify_fixture("seed_header_and_body.json", kerteminde_rules(), Organisation{8, "46000"});
  require_quarantined(c, kReasonUnknownRecipient);
  BOOST_TEST(c.detail ==
             "recipient 8/46000 is not among the organisations served [8/44000, 8/45000]");
}

BOOST_AUTO_TEST_CASE(recipient_must_match_type_as_well_as_code) {
  const Classification c =
      classify_fixture("seed_header_and_body.json", kerteminde_rules(), Organisation{2, "44000"});
  require_quarantined(c, kReasonUnknownRecipient);
}

BOOST_AUTO_TEST_CASE(no_served_organisations_quarantines_every_recipient) {
  Rules rules;
  require_quarantined(classify_fixture("seed_header_and_body.json", rules),
                      kReasonUnknownRecipient);
}

BOOST_AUTO_TEST_CASE(configured_entity_replaces_90000) {
  Rules rules = kerteminde_rules();
  rules.entitetstype_id = 90001;
  require_accepted(classify_fixture("entity_90001_frist.json", rules));
  require_quarantined(classify_fixture("seed_header_and_body.json", rules), kReasonOtherEntity);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(classify_rule_order)

BOOST_AUTO_TEST_CASE(schema_is_decided_before_entity) {
  Document d = parse_fixture("entity_90001_frist.json");
  d.fields.besked_identifier.clear();
  require_quarantined(classify(d, kKerteminde, kerteminde_rules()), kReasonSchema);
}

BOOST_AUTO_TEST_CASE(entity_is_decided_before_miljoe_and_recipient) {
  Rules rules = kerteminde_rules();
  rules.miljoe_allowed = {"P"};
  require_quarantined(classify_fixture("entity_90001_frist.json", rules, Organisation{8, "1"}),
                      kReasonOtherEntity);
}

BOOST_AUTO_TEST_CASE(miljoe_is_decided_before_recipient) {
  Rules rules = kerteminde_rules();
  rules.miljoe_allowed = {"P"};
  require_quarantined(classify_fixture("miljoe_t3.json", rules, Organisation{8, "1"}),
                      kReasonMiljoe);
}

BOOST_AUTO_TEST_SUITE_END()
