// Tests bridge/shadow/soap_messages.cpp: the request envelopes and reading the responses.
#include "bridge/shadow/soap_messages.h"

#include "soap_fixtures.h"

#include <boost/test/unit_test.hpp>

namespace {

using bridge::shadow::read_response;
namespace fx = bridge::shadow::test;
const bridge::shadow::Organisation kOrg{8, "44000"};

}  // namespace

BOOST_AUTO_TEST_SUITE(soap_messages)

BOOST_AUTO_TEST_CASE(soap_actions_follow_the_wsdl_bindings) {
  BOOST_TEST(bridge::shadow::soap_action("CreateSequence") ==
             "http://service.bm.dk/pjaktass/wsrm/3/IWsrmService/CreateSequence");
  BOOST_TEST(bridge::shadow::soap_action("GetIndkaldelseVersion1") ==
             "http://service.bm.dk/pjaktass/wsrm/11/IWsrmMessageService/GetIndkaldelseVersion1");
}

BOOST_AUTO_TEST_CASE(create_sequence_envelope_names_the_escaped_sub_queue_or_none) {
  const std::string with = bridge::shadow::create_sequence_envelope(kOrg, std::string("a<b"));
  BOOST_TEST(with.find("<SubQueueIdentifier>a&lt;b</SubQueueIdentifier>") != std::string::npos);
  BOOST_TEST(with.find("<OrganisationTypeIdentifier>8</OrganisationTypeIdentifier>"
                       "<OrganisationCode>44000</OrganisationCode>") != std::string::npos);
  const std::string without = bridge::shadow::create_sequence_envelope(kOrg, std::nullopt);
  BOOST_TEST(without.find("SubQueueIdentifier") == std::string::npos);
  BOOST_TEST(without.find("<CreateSequence xmlns=\"http://service.bm.dk/pjaktass/wsrm/3/\"/>") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(get_envelope_carries_the_sequence_request_header) {
  const std::string e = bridge::shadow::get_envelope(kOrg, "GetIndkaldelseVersion1", "seq-1");
  BOOST_TEST(e.find("<SequenceRequest xmlns=\"http://docs.oasis-open.org/ws-rx/wsrm/200602\">"
                    "<Identifier>seq-1</Identifier></SequenceRequest>") != std::string::npos);
  BOOST_TEST(e.find("<GetIndkaldelseVersion1Request xmlns=\"http://service.bm.dk/pjaktass/wsrm/"
                    "11/\"/>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(create_response_gives_identifier_and_inventory_in_order) {
  const auto r = read_response(
      "CreateSequence", fx::create_response("seq-1", {{"GetIndkaldelseVersion1", "http://a/b", 3},
                                                      {"GetAkasseIndkaldelseVersion1", "", 1}}));
  BOOST_TEST(r.understood(), r.problem);
  BOOST_TEST(*r.identifier == "seq-1");
  BOOST_REQUIRE(r.service_items.size() == 2u);
  BOOST_TEST(r.service_items[0].endpoint == "http://a/b");
  BOOST_TEST(r.service_items[1].name == "GetAkasseIndkaldelseVersion1");
  BOOST_TEST(r.service_items[1].endpoint.empty());
  BOOST_TEST((*r.inventory)[0].second == 3);
}

BOOST_AUTO_TEST_CASE(unusable_service_name_is_a_problem) {
  const auto r =
      read_response("CreateSequence", fx::create_response("seq-1", {{"../etc/passwd", "", 1}}));
  BOOST_TEST(!r.understood());
  BOOST_TEST(r.problem.find("ServiceName") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(get_response_counts_its_item_elements) {
  const auto r =
      read_response("GetIndkaldelseVersion1",
                    fx::get_response("GetIndkaldelseVersion1", "IndkaldelseRegistration", 4));
  BOOST_TEST(r.understood(), r.problem);
  BOOST_TEST(*r.items == 4);
  const auto empty =
      read_response("GetIndkaldelseVersion1",
                    fx::get_response("GetIndkaldelseVersion1", "IndkaldelseRegistration", 0));
  BOOST_TEST(*empty.items == 0);
}

BOOST_AUTO_TEST_CASE(fault_gives_the_wsrm_code_and_faultstring) {
  const auto r = read_response("GetIndkaldelseVersion1",
                               fx::fault_response("2001", "Unknown or closed sequence"));
  BOOST_REQUIRE(r.fault.has_value());
  BOOST_TEST(*r.fault->code == "2001");
  BOOST_TEST(r.fault->string == "Unknown or closed sequence");
  BOOST_TEST(!r.items.has_value());
}

BOOST_AUTO_TEST_CASE(unexpected_answers_are_problems) {
  BOOST_TEST(read_response("CreateSequence", "<html>oops").problem.find("not XML") !=
             std::string::npos);
  BOOST_TEST(read_response("CreateSequence", "<x/>").problem.find("SOAP") != std::string::npos);
  // The right shape in the wrong namespace is not the answer.
  const auto r = read_response("GetIndkaldelseVersion1",
                               fx::soap("<GetIndkaldelseVersion1Response xmlns=\"urn:other\"/>"));
  BOOST_TEST(r.problem.find("expected GetIndkaldelseVersion1Response") != std::string::npos);
  BOOST_TEST(read_response("TerminateSequence", fx::end_response("TerminateSequence", ""))
                 .problem.find("without an Identifier") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
