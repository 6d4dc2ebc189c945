#include "bridge/sim/generator.h"

#include "bridge/sim/wsb_builder.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <set>

namespace bridge::sim {
namespace {

Scenario load(const GeneratorOptions& o) {
  Result<Scenario> s = scenario_from_json(generate_scenario(o), "(generated)");
  BRIDGE_REQUIRE_OK(s);
  return std::move(s).value();
}

// Everything pushed, in order: recipient path and bytes.
std::string pushes_of(const Scenario& s) {
  std::string out;
  for (const Step& step : s.steps) {
    for (const Organisation& r : step.recipients) out += r.path() + " " + wsb_text(step);
  }
  return out;
}

bool valid_birth_date(const std::string& cpr) {
  using namespace std::chrono;
  const int day = std::stoi(cpr.substr(0, 2));
  const int month = std::stoi(cpr.substr(2, 2));
  const int yy = std::stoi(cpr.substr(4, 2));
  const int century_digit = cpr[6] - '0';
  const int year = (century_digit <= 3 ? 1900 : (yy <= 36 ? 2000 : 1900)) + yy;
  return year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                        std::chrono::day{static_cast<unsigned>(day)}}
      .ok();
}

BOOST_AUTO_TEST_SUITE(generator)

BOOST_AUTO_TEST_CASE(the_same_options_give_byte_identical_pushes) {
  const GeneratorOptions o{20, 200, 42};
  BOOST_TEST(generate_scenario(o).dump() == generate_scenario(o).dump());
  BOOST_TEST(pushes_of(load(o)) == pushes_of(load(o)));
}

BOOST_AUTO_TEST_CASE(another_seed_gives_other_traffic) {
  BOOST_TEST(pushes_of(load({20, 200, 42})) != pushes_of(load({20, 200, 43})));
}

BOOST_AUTO_TEST_CASE(it_makes_the_requested_number_of_events_for_at_most_that_many_citizens) {
  const Scenario s = load({7, 123, 1});
  BOOST_TEST(s.steps.size() == 123u);
  std::set<std::string> cprs, ids, beskeder;
  for (const Step& step : s.steps) {
    cprs.insert(step.cpr);
    ids.insert(step.indkaldelse);
    BOOST_TEST(beskeder.insert(step.besked_identifier).second);
  }
  BOOST_TEST(cprs.size() <= 7u);
  BOOST_TEST(cprs.size() >= 2u);
  BOOST_TEST(ids.size() >= 10u);
}

BOOST_AUTO_TEST_CASE(cpr_numbers_are_ten_digits_starting_with_a_birth_date) {
  for (const Step& step : load({200, 200, 9}).steps) {
    BOOST_TEST_CONTEXT(step.cpr) {
      BOOST_TEST(step.cpr.size() == 10u);
      BOOST_TEST(step.cpr.find_first_not_of("0123456789") == std::string::npos);
      BOOST_TEST(valid_birth_date(step.cpr));
    }
  }
}

BOOST_AUTO_TEST_CASE(events_mix_change_types_registrants_and_samtaletyper) {
  std::map<int, int> aendringstyper, brugertyper, registrant_types;
  std::set<int> samtaletyper;
  int cancellations = 0;
  for (const Step& step : load({30, 500, 3}).steps) {
    ++aendringstyper[step.aendringstype];
    ++brugertyper[step.registrant.brugertype];
    ++registrant_types[step.registrant.authority.type];
    samtaletyper.insert(step.resource["samtaleType"].get<int>());
    if (step.resource["status"] == 2) ++cancellations;
  }
  BOOST_TEST(aendringstyper[1] > 0);
  BOOST_TEST(aendringstyper[2] > 0);
  BOOST_TEST(cancellations > 0);
  BOOST_TEST(brugertyper[1] > 0);  // citizens: self-booking, confirmation
  BOOST_TEST(brugertyper[2] > 0);
  BOOST_TEST(registrant_types[8] > 0);
  BOOST_TEST(registrant_types[kAkasseOrganisationType] > 0);
  for (int t : {4, 7, 10, 15, 17}) BOOST_TEST(samtaletyper.count(t) == 1u, "samtaletype " << t);
}

BOOST_AUTO_TEST_CASE(recipients_and_expectations_follow_the_sending_rules) {
  for (const Step& step : load({30, 400, 5}).steps) {
    BOOST_TEST_CONTEXT(step.id) {
      const int type = step.resource["samtaleType"].get<int>();
      const bool by_akasse =
          step.resource["registreringsmetadata"]["registrerendeMyndighed"]["organisationType"] ==
          kAkasseOrganisationType;
      std::set<int> recipient_types;
      for (const Organisation& r : step.recipients) recipient_types.insert(r.type);
      if (type == 17) {
        BOOST_TEST((recipient_types == std::set<int>{8, kAkasseOrganisationType}));
      } else if (by_akasse) {
        BOOST_TEST((recipient_types == std::set<int>{kAkasseOrganisationType}));
      } else {
        BOOST_TEST((recipient_types == std::set<int>{8}));
      }
      BOOST_REQUIRE(step.expect.has_value());
      for (const Organisation& r : step.recipients) {
        BOOST_TEST(!step.expect->at(r.key).empty(), r.key << " is pushed but expects nothing");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(generated_times_are_realistic_and_ordered) {
  std::string last;
  for (const Step& step : load({10, 100, 11}).steps) {
    BOOST_TEST(step.haendelsestid.size() == 32u);  // 2024-04-23T08:04:39.035885+02:00
    BOOST_TEST(step.haendelsestid > last);
    last = step.haendelsestid;
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace bridge::sim
