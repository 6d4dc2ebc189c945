// Tests bridge/core/uuid.cpp. This file also defines the unit_core test module.
#define BOOST_TEST_MODULE unit_core
#include "bridge/core/uuid.h"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using bridge::UuidGenerator;

BOOST_AUTO_TEST_SUITE(uuid)

BOOST_AUTO_TEST_CASE(generated_uuids_are_lower_case_version_4_with_rfc4122_variant) {
  UuidGenerator gen(7);
  for (int i = 0; i < 200; ++i) {
    const std::string u = gen.next();
    BOOST_TEST_CONTEXT("uuid " << u) {
      BOOST_TEST(bridge::is_uuid(u));
      BOOST_TEST(u[14] == '4');                                          // version nibble
      BOOST_TEST(std::string("89ab").find(u[19]) != std::string::npos);  // variant 10xx
      for (char c : u) BOOST_TEST(!(c >= 'A' && c <= 'F'));
    }
  }
}

BOOST_AUTO_TEST_CASE(generated_uuids_do_not_repeat) {
  UuidGenerator gen(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(gen.next());
  BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_sequence_and_another_seed_a_different_one) {
  UuidGenerator a(42), b(42), c(43);
  std::vector<std::string> from_a, from_b, from_c;
  for (int i = 0; i < 5; ++i) {
    from_a.push_back(a.next());
    from_b.push_back(b.next());
    from_c.push_back(c.next());
  }
  BOOST_TEST(from_a == from_b, boost::test_tools::per_element());
  for (int i = 0; i < 5; ++i) BOOST_TEST(from_a[i] != from_c[i]);
}

BOOST_AUTO_TEST_CASE(is_uuid_accepts_only_the_8_4_4_4_12_hex_form) {
  BOOST_TEST(bridge::is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
  BOOST_TEST(bridge::is_uuid("6BA7B810-9DAD-11D1-80B4-00C04FD430C8"));
  BOOST_TEST(!bridge::is_uuid(""));
  BOOST_TEST(!bridge::is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c"));    // one short
  BOOST_TEST(!bridge::is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c80"));  // one long
  BOOST_TEST(!bridge::is_uuid("6ba7b8109dad-11d1-80b4-00c04fd430c8-"));   // hyphen moved
  BOOST_TEST(!bridge::is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg"));   // not hex
  BOOST_TEST(!bridge::is_uuid("{ba7b810-9dad-11d1-80b4-00c04fd430c}"));
}

BOOST_AUTO_TEST_CASE(uuid_v5_matches_the_rfc_dns_namespace_vector) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")
  BOOST_TEST(bridge::uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com") ==
             "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

BOOST_AUTO_TEST_CASE(uuid_v5_is_stable_per_name_and_differs_between_names) {
  const std::string ns = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";  // URL namespace
  const std::string a = bridge::uuid_v5(ns, "besked-1|GetIndkaldelseVersion1");
  BOOST_TEST(a == bridge::uuid_v5(ns, "besked-1|GetIndkaldelseVersion1"));
  BOOST_TEST(a != bridge::uuid_v5(ns, "besked-1|GetIndkaldelseshaendelseVersion1"));
  BOOST_TEST(a != bridge::uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                                  "besked-1|GetIndkaldelseVersion1"));
  BOOST_TEST(bridge::is_uuid(a));
  BOOST_TEST(a[14] == '5');
  BOOST_TEST(std::string("89ab").find(a[19]) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(uuid_v5_reads_an_upper_case_namespace_like_a_lower_case_one) {
  BOOST_TEST(bridge::uuid_v5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "www.example.com") ==
             "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

BOOST_AUTO_TEST_SUITE_END()
