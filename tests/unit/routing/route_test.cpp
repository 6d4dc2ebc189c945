// Tests bridge/routing/route.cpp against the real mappings/routing/indkaldelse.toml: one test per
// sentence of "Forretningsregler for afsendelse" (domain.md §6.1), the cases the seed does not
// state (undecidable, never delivered), and variant tables that show the rules are data.
#include "bridge/routing/routing.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace bridge::routing {
// Boost.Test prints the kinds it compares (found by argument-dependent lookup).
inline std::ostream& operator<<(std::ostream& os, RouteDecision::Kind kind) {
  return os << to_string(kind);
}
}  // namespace bridge::routing

namespace {

using bridge::routing::RouteDecision;
using bridge::routing::RouteInput;
using bridge::routing::RoutingTable;
using Kind = RouteDecision::Kind;

const std::string kRuleFile = BRIDGE_SOURCE_DIR "/mappings/routing/indkaldelse.toml";

// The code values of the seed; 9 for the a-kasse is the file's assumption (status = "assumed").
constexpr int kJobcenter = 8;
constexpr int kAkasse = 9;
constexpr int kNoRole = 50;  // an organisation type no role lists (e.g. an anden aktør)
constexpr int kBorger = 1;
constexpr int kCaseworker = 2;
constexpr int kSystem = 3;
constexpr int kCreate = 1;
constexpr int kUpdate = 2;
constexpr int kDelete = 3;
constexpr int kFaellesJobsamtale = 17;
constexpr int kJobsamtale = 7;
constexpr int kCvSamtale = 10;
constexpr int kRaadighedssamtale = 15;
constexpr int kOpfoelgningssamtale = 4;

const std::vector<std::string> kJobcenterOps = {"GetIndkaldelseVersion1"};
const std::vector<std::string> kJobcenterOpsWithHaendelse = {"GetIndkaldelseVersion1",
                                                             "GetIndkaldelseshaendelseVersion1"};
const std::vector<std::string> kAkasseOps = {"GetAkasseIndkaldelseVersion1"};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RoutingTable load_seed() {
  auto table = RoutingTable::load(kRuleFile);
  BRIDGE_REQUIRE_OK(table);
  return std::move(table).value();
}

RoutingTable parse_table(const std::string& text, const std::string& name) {
  auto table = RoutingTable::parse(text, name);
  BRIDGE_REQUIRE_OK(table);
  return std::move(table).value();
}

// The real file with one piece of text replaced (which must occur exactly once).
std::string seed_text_with(const std::string& from, const std::string& to) {
  std::string text = read_text(kRuleFile);
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" + from + "' is not in the rule file");
  BOOST_REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "'" + from + "' twice");
  return text.replace(at, from.size(), to);
}

RouteInput wsb(std::optional<int> registrant_org, std::optional<int> brugertype,
               std::optional<int> samtaletype, int recipient,
               std::optional<int> aendringstype = kCreate) {
  RouteInput in;
  in.registrant_org_type = registrant_org;
  in.brugertype_id = brugertype;
  in.samtaletype = samtaletype;
  in.recipient_org_type = recipient;
  in.aendringstype = aendringstype;
  return in;
}

std::string describe(const RouteDecision& d) {
  std::string ops;
  for (const auto& op : d.operations) ops += (ops.empty() ? "" : ",") + op;
  return std::string(to_string(d.kind)) + " [" + ops + "] by '" + d.rule_id + "': " + d.reason;
}

// Delivers by `rule`, with `ops` when the body has no Indkaldelsehaendelsestype and `ops_with`
// when it has one.
void require_delivers(const RoutingTable& t, RouteInput in, const std::string& rule,
                      const std::vector<std::string>& ops,
                      const std::vector<std::string>& ops_with) {
  for (bool haendelse : {false, true}) {
    BOOST_TEST_CONTEXT("with haendelsestype: " << haendelse) {
      in.has_haendelsestype = haendelse;
      const RouteDecision d = t.route(in);
      BOOST_REQUIRE_MESSAGE(d.kind == Kind::deliver, describe(d));
      BOOST_TEST(d.rule_id == "indkaldelse.toml#" + rule);
      BOOST_TEST(d.operations == (haendelse ? ops_with : ops), boost::test_tools::per_element());
      BOOST_TEST(!d.sentence.empty());
      BOOST_TEST(d.reason.empty());
    }
  }
}

void require_skips(const RoutingTable& t, RouteInput in, const std::string& rule) {
  for (bool haendelse : {false, true}) {
    BOOST_TEST_CONTEXT("with haendelsestype: " << haendelse) {
      in.has_haendelsestype = haendelse;
      const RouteDecision d = t.route(in);
      BOOST_REQUIRE_MESSAGE(d.kind == Kind::skip, describe(d));
      BOOST_TEST(d.rule_id == "indkaldelse.toml#" + rule);
      BOOST_TEST(d.operations.empty());
      BOOST_TEST(d.reason.starts_with("not sent by rule " + rule + ": recipient organisation"),
                 d.reason);
    }
  }
}

RouteDecision require_undecidable(const RoutingTable& t, const RouteInput& in) {
  const RouteDecision d = t.route(in);
  BOOST_REQUIRE_MESSAGE(d.kind == Kind::undecidable, describe(d));
  BOOST_TEST(d.operations.empty());
  return d;
}

const std::vector<std::optional<int>> kSomeSamtaletyper = {
    kOpfoelgningssamtale, kJobsamtale,  kCvSamtale,  kRaadighedssamtale,
    kFaellesJobsamtale,   12 /*anden*/, std::nullopt};

}  // namespace

BOOST_AUTO_TEST_SUITE(route_seed_sentences)

// "Alle indkaldelser som oprettes eller opdateres, herunder aflyses, af jobcentret …"
BOOST_AUTO_TEST_CASE(
    afsendelse_til_jobcenter__alle_indkaldelser_oprettet_opdateret_aflyst_af_jobcentret) {
  const RoutingTable t = load_seed();
  for (const auto samtaletype : kSomeSamtaletyper) {
    for (int aendring : {kCreate, kUpdate, kDelete}) {
      for (int bruger : {kCaseworker, kSystem}) {
        BOOST_TEST_CONTEXT("samtaletype " << samtaletype.value_or(-1) << ", aendringstype "
                                          << aendring << ", brugertype " << bruger) {
          require_delivers(t, wsb(kJobcenter, bruger, samtaletype, kJobcenter, aendring),
                           "jobcenter-egne", kJobcenterOps, kJobcenterOpsWithHaendelse);
        }
      }
    }
  }
  BOOST_TEST(t.route(wsb(kJobcenter, kCaseworker, 4, kJobcenter)).sentence ==
             "Alle indkaldelser som oprettes eller opdateres, herunder aflyses, af jobcentret "
             "eller af borger til afholdelse i jobcentret");
}

// "… eller af borger til afholdelse i jobcentret": a citizen's self-booking, routed like the
// jobcenter's own indkaldelser when the registering authority is a jobcenter.
BOOST_AUTO_TEST_CASE(
    afsendelse_til_jobcenter__alle_indkaldelser_oprettet_opdateret_aflyst_af_borger_til_afholdelse_i_jobcentret) {
  const RoutingTable t = load_seed();
  for (const auto samtaletype : {std::optional<int>(kOpfoelgningssamtale),
                                 std::optional<int>(kJobsamtale), std::optional<int>()}) {
    for (int aendring : {kCreate, kUpdate, kDelete}) {
      BOOST_TEST_CONTEXT("samtaletype " << samtaletype.value_or(-1) << ", aendringstype "
                                        << aendring) {
        require_delivers(t, wsb(kJobcenter, kBorger, samtaletype, kJobcenter, aendring),
                         "jobcenter-borger", kJobcenterOps, kJobcenterOpsWithHaendelse);
      }
    }
  }
}

// "A-kassens oprettelser og opdateringer til indkaldelser til fælles jobsamtale (id 17)"
BOOST_AUTO_TEST_CASE(akassens_oprettelser_og_opdateringer_til_faelles_jobsamtale_17_til_jobcenter) {
  const RoutingTable t = load_seed();
  for (int aendring : {kCreate, kUpdate, kDelete}) {
    BOOST_TEST_CONTEXT("aendringstype " << aendring) {
      require_delivers(t, wsb(kAkasse, kCaseworker, kFaellesJobsamtale, kJobcenter, aendring),
                       "jobcenter-akasse-faelles", kJobcenterOps, kJobcenterOpsWithHaendelse);
    }
  }
  BOOST_TEST(
      t.route(wsb(kAkasse, kCaseworker, kFaellesJobsamtale, kJobcenter)).sentence ==
      "A-kassens oprettelser og opdateringer til indkaldelser til fælles jobsamtale (id 17)");
}

// "Dvs. der sendes ikke WSB til jobcentret om a-kassens indkaldelser til CV-samtaler,
// jobsamtaler og rådighedssamtaler."
BOOST_AUTO_TEST_CASE(dvs_ingen_wsb_til_jobcentret_om_akassens_cv_job_og_raadighedssamtaler) {
  const RoutingTable t = load_seed();
  for (int samtaletype : {kCvSamtale, kJobsamtale, kRaadighedssamtale}) {
    for (int aendring : {kCreate, kUpdate, kDelete}) {
      BOOST_TEST_CONTEXT("samtaletype " << samtaletype << ", aendringstype " << aendring) {
        require_skips(t, wsb(kAkasse, kCaseworker, samtaletype, kJobcenter, aendring),
                      "jobcenter-akasse-egne-sendes-ikke");
      }
    }
  }
  const RouteDecision d = t.route(wsb(kAkasse, kCaseworker, kCvSamtale, kJobcenter));
  BOOST_TEST(d.sentence.starts_with("Dvs. der sendes ikke WSB til jobcentret"), d.sentence);
  BOOST_TEST(d.reason ==
             "not sent by rule jobcenter-akasse-egne-sendes-ikke: recipient organisation type 8 "
             "= jobcenter, registrant organisation type 9 = akasse, brugertype 2, samtaletype 10, "
             "aendringstype 1, without haendelsestype");
}

// "A-kassens og jobcentrets indkaldelser til fælles jobsamtale (id 17)" (to the a-kasse)
BOOST_AUTO_TEST_CASE(til_akasse__akassens_og_jobcentrets_indkaldelser_til_faelles_jobsamtale_17) {
  const RoutingTable t = load_seed();
  for (int registrant : {kAkasse, kJobcenter}) {
    for (int aendring : {kCreate, kUpdate, kDelete}) {
      BOOST_TEST_CONTEXT("registrant " << registrant << ", aendringstype " << aendring) {
        require_delivers(t, wsb(registrant, kCaseworker, kFaellesJobsamtale, kAkasse, aendring),
                         "akasse-faelles", kAkasseOps, kAkasseOps);
      }
    }
  }
}

// "A-kassen opretter, retter eller aflyser indkaldelser af typen CV-samtaler (id 10),
// rådighedssamtaler (id 15) og jobsamtaler (id 7)" (to the a-kasse)
BOOST_AUTO_TEST_CASE(til_akasse__akassen_opretter_retter_aflyser_cv_10_raadighed_15_job_7) {
  const RoutingTable t = load_seed();
  for (int samtaletype : {kCvSamtale, kRaadighedssamtale, kJobsamtale}) {
    for (int aendring : {kCreate, kUpdate, kDelete}) {
      BOOST_TEST_CONTEXT("samtaletype " << samtaletype << ", aendringstype " << aendring) {
        require_delivers(t, wsb(kAkasse, kCaseworker, samtaletype, kAkasse, aendring),
                         "akasse-egne", kAkasseOps, kAkasseOps);
      }
    }
  }
}

// "WSB besked, som genereres, når en indkaldelse bliver oprettet/opdateret (herunder når
// myndighedsdeltagere på fælles jobsamtale opdateres)." A myndighedsdeltager change is an Update
// of the fælles jobsamtale: the bullets decide for a jobcenter or a-kasse registrant, the heading
// rules for any other, and both parties get it.
BOOST_AUTO_TEST_CASE(wsb_ogsaa_naar_myndighedsdeltagere_paa_faelles_jobsamtale_opdateres) {
  const RoutingTable t = load_seed();
  const auto update = [](int registrant, int recipient) {
    return wsb(registrant, kCaseworker, kFaellesJobsamtale, recipient, kUpdate);
  };
  require_delivers(t, update(kJobcenter, kJobcenter), "jobcenter-egne", kJobcenterOps,
                   kJobcenterOpsWithHaendelse);
  require_delivers(t, update(kJobcenter, kAkasse), "akasse-faelles", kAkasseOps, kAkasseOps);
  require_delivers(t, update(kAkasse, kJobcenter), "jobcenter-akasse-faelles", kJobcenterOps,
                   kJobcenterOpsWithHaendelse);
  require_delivers(t, update(kAkasse, kAkasse), "akasse-faelles", kAkasseOps, kAkasseOps);
  require_delivers(t, update(kNoRole, kJobcenter), "myndighedsdeltagere-faelles-jobcenter",
                   kJobcenterOps, kJobcenterOpsWithHaendelse);
  require_delivers(t, update(kNoRole, kAkasse), "myndighedsdeltagere-faelles-akasse", kAkasseOps,
                   kAkasseOps);
  BOOST_TEST(t.route(update(kNoRole, kJobcenter)).sentence ==
             "WSB besked, som genereres, når en indkaldelse bliver oprettet/opdateret (herunder "
             "når myndighedsdeltagere på fælles jobsamtale opdateres).");

  // Only an Update can be a myndighedsdeltager change; the heading says nothing else.
  for (int aendring : {kCreate, kDelete}) {
    BOOST_TEST_CONTEXT("aendringstype " << aendring) {
      require_undecidable(t, wsb(kNoRole, kCaseworker, kFaellesJobsamtale, kJobcenter, aendring));
    }
  }
  // And only a fælles jobsamtale.
  require_undecidable(t, wsb(kNoRole, kCaseworker, kOpfoelgningssamtale, kJobcenter, kUpdate));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(route_undecidable)

BOOST_AUTO_TEST_CASE(unknown_samtaletype_is_undecidable_when_the_deciding_rule_needs_it) {
  const RoutingTable t = load_seed();
  const RouteDecision d =
      require_undecidable(t, wsb(kAkasse, kCaseworker, std::nullopt, kJobcenter));
  BOOST_TEST(d.reason ==
             "samtaletype unknown: no snapshot; rule jobcenter-akasse-faelles needs it; "
             "recipient organisation type 8 = jobcenter, registrant organisation type 9 = akasse, "
             "brugertype 2, samtaletype unknown, aendringstype 1, without haendelsestype");
  BOOST_TEST(d.rule_id == "indkaldelse.toml#jobcenter-akasse-faelles");

  // To the a-kasse every rule needs the samtaletype, whoever registered it.
  for (int registrant : {kAkasse, kJobcenter}) {
    BOOST_TEST_CONTEXT("registrant " << registrant) {
      const RouteDecision a =
          require_undecidable(t, wsb(registrant, kCaseworker, std::nullopt, kAkasse));
      BOOST_TEST(a.reason.starts_with("samtaletype unknown: no snapshot"), a.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(recipient_type_without_a_role_is_undecidable_naming_the_type) {
  const RoutingTable t = load_seed();
  const RouteDecision d = require_undecidable(t, wsb(kJobcenter, kCaseworker, 4, 5));
  BOOST_TEST(d.rule_id.empty());
  BOOST_TEST(d.reason ==
             "recipient organisation type 5 has no role in indkaldelse.toml and no rule matches: "
             "recipient organisation type 5 = no role, registrant organisation type 8 = "
             "jobcenter, brugertype 2, samtaletype 4, aendringstype 1, without haendelsestype");
}

BOOST_AUTO_TEST_CASE(akasse_registrant_with_samtaletype_4_to_a_jobcenter_is_undecidable) {
  // The seed names the a-kasse's 17 (sent) and 7/10/15 (not sent); any other type is not stated.
  const RoutingTable t = load_seed();
  const RouteDecision d =
      require_undecidable(t, wsb(kAkasse, kCaseworker, kOpfoelgningssamtale, kJobcenter, kUpdate));
  BOOST_TEST(d.rule_id.empty());
  BOOST_TEST(d.reason ==
             "no rule in indkaldelse.toml matches: recipient organisation type 8 = jobcenter, "
             "registrant organisation type 9 = akasse, brugertype 2, samtaletype 4, "
             "aendringstype 2, without haendelsestype");
}

BOOST_AUTO_TEST_CASE(jobcenter_registrant_with_an_akasse_type_to_the_akasse_is_undecidable) {
  // The matrix (domain.md §6.2) reads "no" here, but no sentence says so: if DFDG does send one,
  // quarantine shows it instead of a silent skip.
  const RoutingTable t = load_seed();
  require_undecidable(t, wsb(kJobcenter, kCaseworker, kCvSamtale, kAkasse));
  require_undecidable(t, wsb(kJobcenter, kCaseworker, kOpfoelgningssamtale, kAkasse));
}

BOOST_AUTO_TEST_CASE(citizen_registrant_without_a_jobcenter_authority_is_undecidable) {
  const RoutingTable t = load_seed();
  const RouteDecision none = require_undecidable(t, wsb(std::nullopt, kBorger, 4, kJobcenter));
  BOOST_TEST(none.reason ==
             "no rule in indkaldelse.toml matches: recipient organisation type 8 = jobcenter, "
             "registrant organisation type none, brugertype 1 = borger, samtaletype 4, "
             "aendringstype 1, without haendelsestype");
  require_undecidable(t, wsb(kAkasse, kBorger, kCvSamtale, kJobcenter));
}

BOOST_AUTO_TEST_CASE(unknown_aendringstype_is_undecidable_when_the_deciding_rule_needs_it) {
  const RoutingTable t = load_seed();
  const RouteDecision d = require_undecidable(
      t, wsb(kNoRole, kCaseworker, kFaellesJobsamtale, kJobcenter, std::nullopt));
  BOOST_TEST(d.reason.starts_with(
                 "aendringstype unknown: rule myndighedsdeltagere-faelles-jobcenter needs it; "),
             d.reason);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(route_roles)

BOOST_AUTO_TEST_CASE(role_of_names_the_configured_organisation_types_only) {
  const RoutingTable t = load_seed();
  BOOST_TEST(t.role_of(kJobcenter) == "jobcenter");
  BOOST_TEST(t.role_of(kAkasse) == "akasse");
  BOOST_TEST(t.role_of(kBorger) == "");  // 1 is a BrugertypeId role, not an organisation type
  BOOST_TEST(t.role_of(5) == "");
}

BOOST_AUTO_TEST_CASE(registrant_role_takes_the_brugertype_before_the_organisation) {
  const RoutingTable t = load_seed();
  BOOST_TEST(t.registrant_role_of(kJobcenter, kBorger) == "borger");
  BOOST_TEST(t.registrant_role_of(kJobcenter, kCaseworker) == "jobcenter");
  BOOST_TEST(t.registrant_role_of(std::nullopt, kBorger) == "borger");
  BOOST_TEST(t.registrant_role_of(kAkasse, std::nullopt) == "akasse");
  BOOST_TEST(t.registrant_role_of(std::nullopt, std::nullopt) == "");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(route_rules_are_data)

BOOST_AUTO_TEST_CASE(joint_interview_set_17_and_19_is_a_change_of_the_file) {
  // The 17-vs-19 conflict (domain.md §5.1): adding 19 is one edit in the rule file.
  const RoutingTable seed = load_seed();
  const RoutingTable both =
      parse_table(seed_text_with("ids = [17]", "ids = [17, 19]"), "indkaldelse-17-19.toml");
  const RouteInput akasse_19 = wsb(kAkasse, kCaseworker, 19, kJobcenter);

  require_undecidable(seed, akasse_19);
  const RouteDecision d = both.route(akasse_19);
  BOOST_REQUIRE_MESSAGE(d.kind == Kind::deliver, describe(d));
  BOOST_TEST(d.rule_id == "indkaldelse-17-19.toml#jobcenter-akasse-faelles");
  BOOST_TEST(d.operations == kJobcenterOps, boost::test_tools::per_element());
  const RouteDecision to_akasse = both.route(wsb(kJobcenter, kCaseworker, 19, kAkasse));
  BOOST_TEST(to_akasse.kind == Kind::deliver);
  BOOST_TEST(to_akasse.rule_id == "indkaldelse-17-19.toml#akasse-faelles");
}

BOOST_AUTO_TEST_CASE(akasse_organisation_type_is_a_change_of_the_file) {
  const RoutingTable t = parse_table(
      seed_text_with("organisation_types = [9]", "organisation_types = [42]"), "other.toml");
  BOOST_TEST(t.role_of(42) == "akasse");
  BOOST_TEST(t.role_of(9) == "");
  const RouteDecision d = t.route(wsb(42, kCaseworker, kCvSamtale, 42));
  BOOST_TEST(d.kind == Kind::deliver);
  BOOST_TEST(d.rule_id == "other.toml#akasse-egne");
}

BOOST_AUTO_TEST_CASE(first_matching_rule_decides_and_a_rule_may_catch_unconfigured_recipients) {
  const RoutingTable t = parse_table(R"(
[[role]]
name = "jobcenter"
organisation_types = [8]
status = "confirmed: test"

[[samtaletype_set]]
name = "joint"
ids = [17]
status = "assumed: test"

[[rule]]
id = "joint-skipped"
sentence = "first"
status = "assumed: test"
samtaletype_in = "joint"
outcome = "skip"

[[rule]]
id = "everything-else"
sentence = "second"
status = "assumed: test"
outcome = "deliver"
operations = [{ name = "GetSomethingVersion9" }, { name = "GetEventVersion1", when = "haendelsestype" }]
)",
                                     "small.toml");
  // No recipient condition: even an organisation type without a role is delivered to.
  RouteInput in = wsb(std::nullopt, std::nullopt, 4, 77);
  in.has_haendelsestype = true;
  const RouteDecision d = t.route(in);
  BOOST_REQUIRE_MESSAGE(d.kind == Kind::deliver, describe(d));
  BOOST_TEST(d.rule_id == "small.toml#everything-else");
  BOOST_TEST(d.operations == (std::vector<std::string>{"GetSomethingVersion9", "GetEventVersion1"}),
             boost::test_tools::per_element());
  BOOST_TEST(t.route(wsb(std::nullopt, std::nullopt, 17, 8)).rule_id == "small.toml#joint-skipped");
  // The first rule needs the samtaletype: unknown stops there instead of falling through.
  BOOST_TEST(t.route(wsb(std::nullopt, std::nullopt, std::nullopt, 8)).kind == Kind::undecidable);
}

BOOST_AUTO_TEST_CASE(samtaletype_not_in_matches_every_known_type_outside_the_set) {
  const RoutingTable t = parse_table(R"(
[[role]]
name = "jobcenter"
organisation_types = [8]
status = "confirmed: test"
[[samtaletype_set]]
name = "joint"
ids = [17]
status = "assumed: test"
[[rule]]
id = "not-joint"
sentence = "s"
status = "assumed: test"
recipient = "jobcenter"
samtaletype_not_in = "joint"
outcome = "deliver"
operations = [{ name = "GetIndkaldelseVersion1" }]
)",
                                     "not_in.toml");
  BOOST_TEST(t.route(wsb(8, 2, 4, 8)).kind == Kind::deliver);
  BOOST_TEST(t.route(wsb(8, 2, 17, 8)).kind == Kind::undecidable);
  BOOST_TEST(t.route(wsb(8, 2, std::nullopt, 8)).kind == Kind::undecidable);
}

BOOST_AUTO_TEST_SUITE_END()
