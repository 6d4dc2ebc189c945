// Tests bridge/queue/consumers.cpp.
#include "bridge/queue/consumers.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using bridge::queue::Consumer;
using bridge::queue::ConsumerRegistry;
using bridge::queue::Organisation;

ConsumerRegistry registry() {
  Consumer kerteminde;
  kerteminde.id = "jc-kerteminde";
  kerteminde.organisations = {{8, "44000"}, {8, "44001"}};
  kerteminde.message_types = {"GetIndkaldelseVersion1"};
  kerteminde.certificate_subjects = {"CN=Kerteminde Jobcenter,O=Kerteminde Kommune,C=DK"};
  kerteminde.certificate_fingerprints = {"AB:CD:EF:01:23"};
  Consumer akasse;
  akasse.id = "akasse-3f";
  akasse.organisations = {{2, "44000"}};  // same code, other organisation type
  akasse.message_types = {"GetAkasseIndkaldelseVersion1"};
  akasse.certificate_subjects = {"CN=3F A-kasse,C=DK"};
  akasse.certificate_fingerprints = {"0099ffee"};
  return ConsumerRegistry({kerteminde, akasse});
}

std::string id_of(const Consumer* c) { return c ? c->id : "(none)"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(consumers)

BOOST_AUTO_TEST_CASE(organisation_prints_as_type_slash_code) {
  BOOST_TEST(bridge::queue::to_string(Organisation{8, "44000"}) == "8/44000");
}

BOOST_AUTO_TEST_CASE(by_id_finds_the_configured_consumer_and_nothing_else) {
  const auto r = registry();
  BOOST_TEST(id_of(r.by_id("akasse-3f")) == "akasse-3f");
  BOOST_TEST(id_of(r.by_id("jc-kerteminde")) == "jc-kerteminde");
  BOOST_TEST(r.by_id("jc-nyborg") == nullptr);
  BOOST_TEST(r.by_id("") == nullptr);
}

BOOST_AUTO_TEST_CASE(by_organisation_needs_both_type_and_code_to_match) {
  const auto r = registry();
  BOOST_TEST(id_of(r.by_organisation({8, "44000"})) == "jc-kerteminde");
  BOOST_TEST(id_of(r.by_organisation({8, "44001"})) == "jc-kerteminde");
  BOOST_TEST(id_of(r.by_organisation({2, "44000"})) == "akasse-3f");
  BOOST_TEST(r.by_organisation({9, "44000"}) == nullptr);
  BOOST_TEST(r.by_organisation({8, "4400"}) == nullptr);
}

BOOST_AUTO_TEST_CASE(fingerprints_compare_without_case_and_colons) {
  BOOST_TEST(bridge::queue::normalise_fingerprint("AB:cd:01") == "abcd01");
  BOOST_TEST(bridge::queue::normalise_fingerprint("abcd01") == "abcd01");
  BOOST_TEST(bridge::queue::normalise_fingerprint(" AB CD-01 ") == "abcd01");

  const auto r = registry();
  BOOST_TEST(id_of(r.by_certificate("", "abcdef0123")) == "jc-kerteminde");
  BOOST_TEST(id_of(r.by_certificate("", "AB:CD:EF:01:23")) == "jc-kerteminde");
  BOOST_TEST(id_of(r.by_certificate("", "00:99:FF:EE")) == "akasse-3f");
  BOOST_TEST(r.by_certificate("", "abcdef012345") == nullptr);
}

BOOST_AUTO_TEST_CASE(subjects_match_exactly) {
  const auto r = registry();
  BOOST_TEST(id_of(r.by_certificate("CN=3F A-kasse,C=DK", "")) == "akasse-3f");
  BOOST_TEST(r.by_certificate("CN=3F A-kasse", "") == nullptr);
  BOOST_TEST(r.by_certificate("cn=3f a-kasse,c=dk", "") == nullptr);
}

BOOST_AUTO_TEST_CASE(an_empty_subject_or_fingerprint_matches_nobody) {
  const auto r = registry();
  BOOST_TEST(r.by_certificate("", "") == nullptr);
  BOOST_TEST(r.by_certificate("", "::") == nullptr);  // normalises to empty
}

BOOST_AUTO_TEST_CASE(a_matching_fingerprint_wins_even_with_an_unknown_subject) {
  const auto r = registry();
  BOOST_TEST(id_of(r.by_certificate("CN=someone else", "0099ffee")) == "akasse-3f");
}

BOOST_AUTO_TEST_CASE(a_certificate_may_belong_to_several_consumers) {
  Consumer a;
  a.id = "jc-a";
  a.certificate_fingerprints = {"AA:BB"};
  Consumer b;
  b.id = "jc-b";
  b.certificate_fingerprints = {"aabb"};
  b.certificate_subjects = {"/CN=supplier"};
  BOOST_TEST(bridge::queue::certificate_matches(a, "", "aa:bb"));
  BOOST_TEST(bridge::queue::certificate_matches(b, "", "AABB"));
  BOOST_TEST(bridge::queue::certificate_matches(b, "/CN=supplier", ""));
  BOOST_TEST(!bridge::queue::certificate_matches(a, "/CN=supplier", "ccdd"));
}

BOOST_AUTO_TEST_SUITE_END()
