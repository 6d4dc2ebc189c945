// Tests bridge/mapping/engine.cpp and transform.cpp as a lens (architecture.md principle 2):
// forward then backward is the identity on every mapped field, over generated inputs. Each case
// has its own seed; a failure prints it, and BRIDGE_MAPPING_PROPERTY_SEED=<seed> reruns that case
// alone.
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/result.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using bridge::mapping::CodeList;
using bridge::mapping::MappingSet;
using bridge::mapping::OperationInfo;
using bridge::mapping::Row;
using bridge::mapping::SourceKind;
using bridge::mapping::Transform;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

constexpr std::uint32_t kBaseSeed = 20240423;
constexpr int kCases = 300;
constexpr std::int64_t kIntMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();

std::int64_t code_points(const std::string& s) {
  std::int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Random inputs in the shapes of contract.md §4 and the WSB seed, within the XSD's facets (the
// property is about the lens, not about rejecting bad values).
class Generator {
 public:
  Generator(std::uint32_t seed, const MappingSet& set) : rng_(seed), set_(set) {}

  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(from.size()) - 1))];
  }

  // Text with XML specials, Danish letters, emoji, tabs and line breaks; 1..max code points.
  std::string text(std::int64_t max_code_points = 60) {
    static const std::vector<std::string> pieces = {
        "a",      "Z",           "q",  "7",     " ",    "-",  "&",          "<",
        ">",      "\"",          "'",  "&amp;", "]]>",  "æ",  "ø",          "å",
        "Æ",      "Ø",           "Å",  "é",     "ü",    "€",  "§",          "😀",
        "🇩🇰",     "👩‍💼", "\t", "\n",    "\r\n", "\r", "Jobsamtale", "mødelokale 2",
        "x=1&y=2"};
    static const std::vector<std::string> blanks = {" ", "\t", "\n", "  "};
    const bool blank_only = chance(0.04);
    while (true) {
      std::string out;
      const auto n = between(1, std::min<std::int64_t>(12, max_code_points));
      for (std::int64_t i = 0; i < n; ++i) out += blank_only ? pick(blanks) : pick(pieces);
      if (code_points(out) <= max_code_points) return out;
    }
  }

  std::string hex(int n, bool anonymised) {
    static const char* digits = "0123456789abcdefABCDEF";
    std::string out;
    for (int i = 0; i < n; ++i) out += anonymised && chance(0.5) ? 'x' : digits[between(0, 21)];
    return out;
  }

  std::string guid() {
    const bool anonymised = chance(0.2);  // the seed's "xxxxxxxx-…" form
    return hex(8, anonymised) + "-" + hex(4, false) + "-" + hex(4, false) + "-" + hex(4, false) +
           "-" + hex(12, false);
  }

  std::string cpr() {
    std::string out;
    for (int i = 0; i < 10; ++i) out += static_cast<char>('0' + between(0, 9));
    return out;
  }

  // xsd:dateTime with 0-7 fraction digits and Z, ±hh:mm or (rarely) no offset.
  std::string date_time() {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d",
                  static_cast<int>(between(1970, 2099)), static_cast<int>(between(1, 12)),
                  static_cast<int>(between(1, 28)), static_cast<int>(between(0, 23)),
                  static_cast<int>(between(0, 59)), static_cast<int>(between(0, 59)));
    std::string out = buffer;
    if (const auto digits = between(0, 7); digits > 0) {
      out += '.';
      for (std::int64_t i = 0; i < digits; ++i) out += static_cast<char>('0' + between(0, 9));
    }
    const auto zone = between(0, 9);
    if (zone <= 2) return out + "Z";
    if (zone == 9) return out;
    const int hours = static_cast<int>(between(0, 14));
    const int minutes = hours == 14 ? 0 : static_cast<int>(between(0, 3)) * 15;
    std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", zone <= 5 ? '+' : '-', hours, minutes);
    return out + buffer;
  }

  std::int64_t integer() {
    switch (between(0, 3)) {
      case 0:
        return between(0, 120);
      case 1:
        return between(-100, 100);
      case 2:
        return chance(0.5) ? kIntMin : kIntMax;
      default:
        return between(kIntMin, kIntMax);
    }
  }

  // A code the list knows (half the time), or one it does not know, within [lo, hi].
  json code(const std::string& list, std::int64_t lo = kIntMin, std::int64_t hi = kIntMax) {
    const CodeList& codes = set_.codelists().at(list);
    if (chance(0.5) && !codes.values.empty()) {
      return std::stoll(pick(codes.values).code);
    }
    while (true) {
      const std::int64_t v =
          chance(0.5) ? between(std::max<std::int64_t>(lo, 0), std::min<std::int64_t>(hi, 200))
                      : between(lo, hi);
      if (codes.find(std::to_string(v)) == nullptr) return v;
    }
  }

  // Sets `key` to the value, to null, or leaves it out, at random.
  template <class F>
  void maybe(json& object, const char* key, F value) {
    switch (between(0, 3)) {
      case 0:
        break;  // absent
      case 1:
        object[key] = nullptr;
        break;
      default:
        object[key] = value();
    }
  }

  Inputs inputs() {
    Inputs in;
    json& w = in.wsb;
    json& user = w["Oprindelse"]["RegistrerendeBruger"];
    w["Oprindelse"]["RegistrerendeMyndighed"] = {
        {"OrganisationType", code("organisationstype", 1, 100)}, {"OrganisationKode", text(20)}};
    user["BrugertypeId"] = code("brugertype");
    user["BrugertypeNavn"] = "Caseworker";
    user["Brugernavn"] = text(140);
    user["Brugeridentifikation"] = chance(0.5) ? guid() : text(255);
    maybe(user, "Brugeremail", [&] { return text(40) + "@kerteminde.dk"; });
    user["KaldendeMyndighed"] = {{"OrganisationType", code("organisationstype", 1, 100)},
                                 {"OrganisationKode", text(30)}};
    w["Oprindelse"]["SystemId"] = code("system");
    w["Oprindelse"]["Systemnavn"] = "Andet";
    w["BeskedIdentifier"] = guid();
    w["HaendelsesTid"] = date_time();
    w["Miljoe"] = "T3";
    w["EntitetstypeId"] = 90000;
    w["EksternIdentifier"] = guid();
    w["VersionIdentifier"] = nullptr;
    w["Identifikation"] = cpr();
    w["IdentifikationstypeId"] = 1;
    w["AendringstypeId"] = between(1, 3);
    w["Body"] = {{"Indkaldelsehaendelsestype", code("indkaldelsehaendelsestype")}};

    in.bridge["MessageIdentifier"] = guid();
    maybe(in.bridge, "QueuedAt", [&] { return date_time(); });

    json& r = in.indkaldelse;
    r["indkaldelseId"] = w["EksternIdentifier"];
    r["status"] = code("status");
    maybe(r, "samtaleType", [&] { return code("samtaletype"); });
    maybe(r, "afholdelsesform", [&] { return code("samtaleform"); });
    maybe(r, "moedeGruppeType", [&] { return code("moedeform"); });
    maybe(r, "starttidspunkt", [&] { return date_time(); });
    maybe(r, "sluttidspunkt", [&] { return date_time(); });
    maybe(r, "varighed", [&] { return integer(); });
    maybe(r, "titel", [&] { return text(); });
    maybe(r, "beskrivelse", [&] { return text(200); });
    maybe(r, "lokation", [&] { return text(); });
    maybe(r, "adresse", [&] {
      json a = {{"vejnavn", text()},
                {"husnummer", text(4)},
                {"postnummer", text(4)},
                {"postdistrikt", text()}};
      maybe(a, "etage", [&] { return text(3); });
      maybe(a, "doer", [&] { return text(3); });
      return a;
    });
    maybe(r, "telefonnummer", [&] { return "+45" + cpr().substr(0, 8); });
    maybe(r, "digitaltMoedelink", [&] {
      return "https://moede.example.dk/join/" + hex(8, false) + "?navn=" + hex(4, false) +
             "&pin=" + std::to_string(between(1000, 9999));
    });
    maybe(r, "ansvarligSagsbehandler", [&] { return text(); });
    maybe(r, "ombookingMulig", [&] { return chance(0.5); });
    maybe(r, "ombookingsfrist", [&] { return date_time(); });
    maybe(r, "aflysningMulig", [&] { return chance(0.5); });
    maybe(r, "aflysningsfrist", [&] { return date_time(); });
    maybe(r, "selvbooket", [&] { return chance(0.5); });
    maybe(r, "ejersystem", [&] { return code("system"); });
    maybe(r, "gruppemoedeId", [&] { return guid(); });
    maybe(r, "akasseDeltagelsesstatus", [&] { return integer(); });
    maybe(r, "myndighedsdeltagere", [&] {
      json list = json::array();
      for (auto n = between(0, 4); n > 0; --n) {
        json m = {{"myndighedsdeltagerId", guid()}};
        maybe(m, "navn", [&] { return text(); });
        maybe(m, "kontaktdetaljer", [&] { return text(); });
        maybe(m, "telefonnummer", [&] { return "+45" + cpr().substr(0, 8); });
        maybe(m, "email", [&] { return text(20) + "@star.dk"; });
        maybe(m, "organisationType", [&] { return code("organisationstype"); });
        maybe(m, "organisationKode", [&] { return text(20); });
        list.push_back(std::move(m));
      }
      return list;
    });
    return in;
  }

 private:
  std::mt19937 rng_;
  const MappingSet& set_;
};

// The differences between the inputs and the backward view, one line each.
std::vector<std::string> compare(const OperationInfo& info, const Inputs& in, const json& view) {
  std::vector<std::string> diffs;
  auto view_root = [&](SourceKind kind) -> const json* {
    const auto it = view.find(to_string(kind));
    return it == view.end() ? nullptr : &*it;
  };
  auto note = [&](const Row& row, const std::string& where, const json& want, const json& got) {
    if (want != got) {
      diffs.push_back(row.reference() + " " + where + ": input " + want.dump() + ", backward " +
                      got.dump());
    }
  };
  auto size_of = [](const json& v) { return v.is_array() ? v.size() : std::size_t{0}; };
  for (const Row* row : info.rows) {
    if (row->kind == SourceKind::constant) continue;
    if (row->transform == Transform::each) {
      const json want = value_at(in.root(row->kind), row->pointer);
      const json got = value_at(view_root(row->kind), row->pointer);
      note(*row, row->path + " count", size_of(want), size_of(got));
      continue;
    }
    if (row->kind == SourceKind::each) {
      const Row* parent = each_parent(info, *row);
      if (parent == nullptr) {
        diffs.push_back(row->reference() + ": no 'each' row above it");
        continue;
      }
      const json want = value_at(in.root(parent->kind), parent->pointer);
      const json got = value_at(view_root(parent->kind), parent->pointer);
      for (std::size_t i = 0; i < std::min(size_of(want), size_of(got)); ++i) {
        note(*row, row->path + " [" + std::to_string(i + 1) + "]", value_at(&want[i], row->pointer),
             value_at(&got[i], row->pointer));
      }
      continue;
    }
    note(*row, row->path, value_at(in.root(row->kind), row->pointer),
         value_at(view_root(row->kind), row->pointer));
  }
  return diffs;
}

std::vector<std::uint32_t> case_seeds() {
  if (const char* one = std::getenv("BRIDGE_MAPPING_PROPERTY_SEED")) {
    return {static_cast<std::uint32_t>(std::stoul(one))};
  }
  std::vector<std::uint32_t> seeds;
  for (int i = 0; i < kCases; ++i) seeds.push_back(kBaseSeed + static_cast<std::uint32_t>(i));
  return seeds;
}

std::string rerun(std::uint32_t seed) {
  return "case seed " + std::to_string(seed) +
         " (rerun alone: BRIDGE_MAPPING_PROPERTY_SEED=" + std::to_string(seed) +
         " unit_mapping --run_test=roundtrip_property)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(roundtrip_property)

BOOST_AUTO_TEST_CASE(forward_then_backward_is_the_identity_on_every_mapped_field) {
  const auto set = load_real();
  TempDir dir;
  std::vector<std::string> files;
  std::map<std::string, std::uint32_t> seed_of_file;
  int failed_cases = 0;
  // Coverage of the generator, so a change that stops it producing a shape shows up.
  std::set<std::size_t> participant_counts;
  bool saw_unknown_code = false;
  for (const std::uint32_t seed : case_seeds()) {
    Generator gen(seed, *set);
    const Inputs in = gen.inputs();
    if (in.indkaldelse.contains("myndighedsdeltagere") &&
        in.indkaldelse["myndighedsdeltagere"].is_array()) {
      participant_counts.insert(in.indkaldelse["myndighedsdeltagere"].size());
    }
    saw_unknown_code = saw_unknown_code || set->codelists().at("status").find(
                                               in.indkaldelse["status"].dump()) == nullptr;
    std::vector<std::string> problems;
    for (const auto& op : set->operations()) {
      const OperationInfo& info = *set->info(op);
      auto out = set->forward(op, in.sources());
      if (!out) {
        problems.push_back(op + ": forward failed: " + out.error().message);
        continue;
      }
      const std::string& item = out.value().item_xml;
      const std::string wrapped = wrap_item(info, item);
      pugi::xml_document doc;
      if (!doc.load_buffer(wrapped.data(), wrapped.size())) {
        problems.push_back(op + ": not well-formed: " + wrapped);
        continue;
      }
      const std::string file = dir.file(std::to_string(seed) + "-" + op + ".xml");
      write_file(file, wrapped);
      files.push_back(file);
      seed_of_file[file] = seed;
      auto back = set->backward(op, item);
      if (!back) {
        problems.push_back(op + ": backward failed: " + back.error().message);
        continue;
      }
      for (const auto& p : back.value().problems) problems.push_back(op + ": backward: " + p);
      for (const auto& d : compare(info, in, back.value().view)) problems.push_back(op + ": " + d);
    }
    if (!problems.empty() && ++failed_cases <= 5) {
      std::string message = rerun(seed) + ":";
      for (std::size_t i = 0; i < problems.size() && i < 8; ++i) message += "\n  " + problems[i];
      message += "\n  inputs: wsb " + in.wsb.dump() + "\n  indkaldelse " + in.indkaldelse.dump() +
                 "\n  bridge " + in.bridge.dump();
      BOOST_ERROR(message);
    }
  }
  BOOST_TEST(failed_cases == 0);

  // Every generated item is valid against the served XSD (one xmllint run for all of them).
  const Validation v = xmllint(real_xsd_dir() + "/" + kMessageXsd, files, dir.file("xmllint.txt"));
  if (!v.ok()) {
    std::string failing;
    int shown = 0;
    for (const auto& [file, seed] : seed_of_file) {
      if (v.output.find(file + " fails to validate") != std::string::npos && ++shown <= 5) {
        failing += "\n  " + rerun(seed) + ": " + file;
      }
    }
    BOOST_ERROR("xmllint rejects generated items:" + failing + "\n" + v.output.substr(0, 4000));
  }

  if (case_seeds().size() > 1) {
    BOOST_TEST(participant_counts.size() == 5u, "0..4 myndighedsdeltagere all generated");
    BOOST_TEST(saw_unknown_code);
  }
}

BOOST_AUTO_TEST_SUITE_END()
