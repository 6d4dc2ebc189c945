// mapping_bench: the mapping engine's forward direction against nlohmann/json + pugixml alone.
//
// One run does, in this order:
//   1. generates a few hundred distinct inputs from a fixed seed: a WSB document (the seed
//      fixture with every varying field replaced) and the REST snapshot of its indkaldelse
//      (contract.md §4.2, 0-3 myndighedsdeltagere), both as JSON text as the pipeline stores them,
//      plus the bridge context (MessageIdentifier, QueuedAt);
//   2. loads the mapping tables (MappingSet::load_checked) and calls forward() once for every
//      input and operation: every call must give an item, and the item must be well-formed XML.
//      From each item it derives the baseline's plan: the same elements in the same order, each
//      leaf reading its text from the parsed JSON by the path its row names;
//   3. checks that the baseline, run on the same inputs, writes the same bytes as the bridge;
//   4. times the stages once (parse, forward, build, serialise), to show where the time goes;
//   5. runs alternating rounds (baseline first in odd rounds, bridge first in even ones) over the
//      same messages: both sides parse the two JSON texts; the bridge then calls forward() for
//      each operation the message goes to, the baseline builds the pugixml tree of the same items
//      from the parsed values and serialises it;
//   6. prints messages/s and items/s of both, and the ratio bridge/baseline.
// Timings are reported, never asserted; the exit code is non-zero only when something was wrong.
// See bench/README.md.

#include "bench_support.h"
#include "bridge/mapping/mapping.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace bench;
using bridge::mapping::MappingSet;
using bridge::mapping::Row;
using bridge::mapping::SourceKind;
using bridge::mapping::Transform;
using nlohmann::json;

#ifndef BRIDGE_SOURCE_DIR
#define BRIDGE_SOURCE_DIR "."
#endif
#ifndef BRIDGE_BENCH_BUILD_TYPE
#define BRIDGE_BENCH_BUILD_TYPE "?"
#endif

constexpr const char* kIndkaldelse = "GetIndkaldelseVersion1";
constexpr const char* kHaendelse = "GetIndkaldelseshaendelseVersion1";

// ------------------------------------------------------------------------------------------
// Options

struct Options {
  int inputs = 400;      // distinct generated (WSB, snapshot) pairs
  int messages = 64000;  // per server, all rounds together; the inputs are reused in turn
  int rounds = 8;
  int seed = 1;
  int haendelse = 67;     // % of WSBs whose body carries Indkaldelsehaendelsestype
  std::string operation;  // empty: both, as routed
  std::string mappings_dir = std::string(BRIDGE_SOURCE_DIR) + "/mappings";
  std::string xsd_dir = std::string(BRIDGE_SOURCE_DIR) + "/wsdl/xsd";
  std::string wsb = std::string(BRIDGE_SOURCE_DIR) + "/tests/fixtures/wsb/seed_flat_with_body.json";
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: mapping_bench [options]\n"
               "  --inputs N         distinct generated WSB + snapshot pairs (default 400)\n"
               "  --messages N       messages per server, all rounds (default 64000); must be a\n"
               "                     multiple of --rounds\n"
               "  --rounds N         alternating baseline/bridge rounds (default 8)\n"
               "  --seed N           generator seed (default 1); the same seed, the same inputs\n"
               "  --haendelse PCT    share of WSBs with Indkaldelsehaendelsestype (default 67)\n"
               "  --operation NAME   map every message to this operation only (default: %s for\n"
               "                     every message and %s\n"
               "                     when the body carries Indkaldelsehaendelsestype)\n"
               "  --mappings DIR     mapping tables (default <source>/mappings)\n"
               "  --xsd DIR          schemas (default <source>/wsdl/xsd)\n"
               "  --wsb FILE         WSB template (default tests/fixtures/wsb/"
               "seed_flat_with_body.json)\n",
               kIndkaldelse, kHaendelse);
}

Options parse_options(int argc, char** argv) {
  Options o;
  ArgCursor args(argc, argv);
  while (args.next()) {
    const std::string a = args.arg();
    if (a == "--inputs") {
      o.inputs = args.number(1, 100000);
    } else if (a == "--messages") {
      o.messages = args.number(1, 100000000);
    } else if (a == "--rounds") {
      o.rounds = args.number(1, 1000);
    } else if (a == "--seed") {
      o.seed = args.number(0, 1000000000);
    } else if (a == "--haendelse") {
      o.haendelse = args.number(0, 100);
    } else if (a == "--operation") {
      o.operation = args.value();
    } else if (a == "--mappings") {
      o.mappings_dir = args.value();
    } else if (a == "--xsd") {
      o.xsd_dir = args.value();
    } else if (a == "--wsb") {
      o.wsb = args.value();
    } else {
      args.help_or_unknown(usage);
    }
  }
  if (o.messages % o.rounds != 0) {
    fail("--messages (" + std::to_string(o.messages) + ") must be a multiple of --rounds (" +
         std::to_string(o.rounds) + ")");
  }
  if (!o.operation.empty() && o.operation != kIndkaldelse && o.operation != kHaendelse) {
    fail("--operation must be " + std::string(kIndkaldelse) + " or " + kHaendelse);
  }
  return o;
}

// ------------------------------------------------------------------------------------------
// Generated inputs

// Deterministic for a seed on every platform: the distributions of <random> are not, so the
// draws are plain modulo (the bias does not matter here).
class Draw {
 public:
  explicit Draw(int seed) : rng_(static_cast<std::uint64_t>(seed) * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  bool percent(int p) { return below(100) < static_cast<std::uint64_t>(p); }
  template <class T, std::size_t N>
  const T& pick(const T (&list)[N]) {
    return list[below(N)];
  }
  std::string guid() {
    const std::uint64_t a = rng_(), b = rng_();
    char s[37];
    std::snprintf(s, sizeof s, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return s;
  }
  std::string digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + below(10)));
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

constexpr const char* kFirstNames[] = {"Anne", "Søren", "Mette",    "Jens",  "Kirsten", "Ole",
                                       "Åse",  "Lars",  "Birgitte", "Bjørn", "Hanne",   "Mads"};
constexpr const char* kLastNames[] = {"Jensen",      "Nielsen",   "Hansen",   "Pedersen",
                                      "Andersen",    "Larsen",    "Sørensen", "Rasmussen",
                                      "Christensen", "Jørgensen", "Møller",   "Østergaard"};
constexpr const char* kStreets[] = {"Hans Schacksvej", "Vestergade",  "Nørregade",
                                    "Søndergade",      "Østergade",   "Strandvejen",
                                    "Kongensgade",     "Åboulevarden"};
struct Town {
  const char* postnummer;
  const char* postdistrikt;
  const char* kommunekode;
};
constexpr Town kTowns[] = {{"5300", "Kerteminde", "44000"},  {"8000", "Aarhus C", "75100"},
                           {"2100", "København Ø", "10100"}, {"5000", "Odense C", "46100"},
                           {"9000", "Aalborg", "85100"},     {"6700", "Esbjerg", "56100"},
                           {"7100", "Vejle", "63000"},       {"4000", "Roskilde", "26500"}};
constexpr const char* kTitles[] = {"Jobsamtale", "CV-samtale", "Rådighedssamtale",
                                   "Fælles jobsamtale", "Opfølgningssamtale"};
constexpr const char* kSentences[] = {
    "Samtale om dine jobmål og dine muligheder for at komme i arbejde.",
    "Medbring dit CV & dine eksamensbeviser.",
    "Husk at tjekke Jobnet inden samtalen.",
    "Hvis du er syg, skal du melde afbud inden kl. 9.",
    "Vi taler om din jobsøgning i de seneste uger og om aftaler for den kommende periode.",
    "Du kan tage en bisidder med til samtalen.",
    "Samtalen er et krav for at du kan modtage ydelse (LAB § 27 stk. 1 < 3 mdr.).",
    "Din a-kasse deltager også i samtalen."};
constexpr int kSamtaletyper[] = {4, 7, 8, 9, 10, 11, 12, 13, 15, 17, 19, 20};
constexpr int kSamtaleformer[] = {1, 1, 1, 2, 6, 8};  // 1: fremmøde, 2: telefon, 6: video
constexpr int kSystems[] = {1, 30, 32};
constexpr const char* kSystemNames[] = {"Andet", "Jobnet", "Fasit"};

// Two digits (v is 0..99).
std::string two(int v) {
  return {static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)};
}

// An xsd:dateTime with local offset; minutes past 00:00 of the day.
std::string local_time(int year, int month, int day, int minutes, const char* offset) {
  return std::to_string(year) + "-" + two(month) + "-" + two(day) + "T" + two(minutes / 60) + ":" +
         two(minutes % 60) + ":00" + offset;
}

// Every draw is a statement of its own: the order in which the operands of + or the arguments
// of a call are evaluated is unspecified, and the inputs must not depend on the compiler.
std::string person_name(Draw& d) {
  const std::string first = d.pick(kFirstNames);
  return first + " " + d.pick(kLastNames);
}

json make_snapshot(Draw& d, const std::string& id, const Town& town) {
  const int year = 2024 + static_cast<int>(d.below(2));
  const int month = 1 + static_cast<int>(d.below(12));
  const int day = 2 + static_cast<int>(d.below(27));
  const char* offset = month >= 4 && month <= 10 ? "+02:00" : "+01:00";
  const int start = 8 * 60 + 15 * static_cast<int>(d.below(28));
  const int minutes[] = {15, 30, 30, 45, 60, 90};
  const int varighed = d.pick(minutes);
  const int form = d.pick(kSamtaleformer);

  json s = json::object();
  s["indkaldelseId"] = id;
  s["status"] = d.percent(85) ? 1 : 2 + static_cast<int>(d.below(2));
  s["samtaleType"] = d.pick(kSamtaletyper);
  s["afholdelsesform"] = form;
  s["moedeGruppeType"] = d.percent(90) ? 1 : 2;
  s["starttidspunkt"] = local_time(year, month, day, start, offset);
  s["sluttidspunkt"] = local_time(year, month, day, start + varighed, offset);
  s["varighed"] = varighed;
  s["titel"] = d.pick(kTitles);
  std::string beskrivelse;
  for (std::uint64_t i = 0, n = d.below(6); i < n; ++i) {
    beskrivelse += (beskrivelse.empty() ? "" : " ") + std::string(d.pick(kSentences));
  }
  s["beskrivelse"] = beskrivelse.empty() ? json(nullptr) : json(beskrivelse);
  s["lokation"] = "Jobcenter " + std::string(town.postdistrikt) + ", mødelokale " +
                  std::to_string(1 + d.below(12));
  if (form == 1) {
    s["adresse"] = {{"vejnavn", d.pick(kStreets)},
                    {"husnummer", std::to_string(1 + d.below(120))},
                    {"etage", d.percent(30) ? json(std::to_string(d.below(5)) + ".") : json()},
                    {"doer", d.percent(20) ? json("tv") : json()},
                    {"postnummer", town.postnummer},
                    {"postdistrikt", town.postdistrikt}};
  } else {
    s["adresse"] = nullptr;
  }
  s["telefonnummer"] = "+45" + d.digits(8);
  if (form == 6) {
    const std::string meeting = d.digits(10);
    s["digitaltMoedelink"] = "https://moede.jobcenter.dk/j/" + meeting + "?pwd=" + d.guid();
  } else {
    s["digitaltMoedelink"] = nullptr;
  }
  s["ansvarligSagsbehandler"] = person_name(d);
  const bool ombooking = d.percent(60);
  s["ombookingMulig"] = ombooking;
  s["ombookingsfrist"] =
      ombooking ? json(local_time(year, month, day - 1, 12 * 60, offset)) : json();
  const bool aflysning = d.percent(30);
  s["aflysningMulig"] = aflysning;
  s["aflysningsfrist"] =
      aflysning ? json(local_time(year, month, day - 1, 9 * 60, offset)) : json();
  s["selvbooket"] = d.percent(15);
  s["ejersystem"] = d.pick(kSystems);
  s["gruppemoedeId"] = d.percent(10) ? json(d.guid()) : json();
  s["akasseDeltagelsesstatus"] = d.percent(20) ? json(1 + d.below(3)) : json();
  json deltagere = json::array();
  for (std::uint64_t i = 0, n = d.below(4); i < n; ++i) {
    const bool akasse = d.percent(30);
    deltagere.push_back(
        {{"myndighedsdeltagerId", d.guid()},
         {"navn", person_name(d)},
         {"kontaktdetaljer", akasse ? "A-kassen, " + std::string(town.postdistrikt)
                                    : "Jobcenter " + std::string(town.postdistrikt)},
         {"telefonnummer", "+45" + d.digits(8)},
         {"email", "sb" + d.digits(4) + (akasse ? "@akasse.dk" : "@jobcenter.dk")},
         {"organisationType", akasse ? 9 : 8},
         {"organisationKode", akasse ? d.digits(3) : std::string(town.kommunekode)}});
  }
  s["myndighedsdeltagere"] = std::move(deltagere);
  s["registreringsmetadata"] = {
      {"registrerendeMyndighed", {{"organisationType", 8}, {"organisationKode", town.kommunekode}}},
      {"registreringstidspunkt", local_time(year, month, 1, 10 * 60, offset)},
      {"erSlettet", false}};
  return s;
}

// The WSB template with every field that varies between messages replaced.
json make_wsb(Draw& d, const json& tmpl, const std::string& id, const Town& town,
              int haendelse_pct) {
  json w = tmpl;
  int t[6];  // month, day, hour, minute, second, microsecond
  const std::uint64_t ranges[6] = {12, 28, 10, 60, 60, 1000000};
  for (int i = 0; i < 6; ++i) t[i] = static_cast<int>(d.below(ranges[i]));
  char tid[96];
  std::snprintf(tid, sizeof tid, "2024-%02d-%02dT%02d:%02d:%02d.%06d%s", 1 + t[0], 1 + t[1],
                7 + t[2], t[3], t[4], t[5], t[0] >= 3 && t[0] <= 9 ? "+02:00" : "+01:00");
  const int birth_day = 1 + static_cast<int>(d.below(28));
  const int birth_month = 1 + static_cast<int>(d.below(12));
  const std::string cpr = two(birth_day) + two(birth_month) + d.digits(6);
  const bool citizen = d.percent(10);
  const std::size_t system = d.below(3);
  const int aendring = 1 + static_cast<int>(d.below(3));
  const char* aendring_names[] = {"Create", "Update", "Delete"};

  json& o = w["Oprindelse"];
  o["RegistrerendeMyndighed"] = {{"OrganisationType", 8}, {"OrganisationKode", town.kommunekode}};
  json& bruger = o["RegistrerendeBruger"];
  bruger["BrugertypeId"] = citizen ? 1 : 2;
  bruger["BrugertypeNavn"] = citizen ? "Citizen" : "Caseworker";
  bruger["Brugernavn"] = person_name(d);
  bruger["Brugeridentifikation"] = citizen ? cpr : d.guid();
  bruger["Brugeremail"] = "sb" + d.digits(4) + "@jobcenter.dk";
  bruger["KaldendeMyndighed"] = o["RegistrerendeMyndighed"];
  o["SystemId"] = kSystems[system];
  o["Systemnavn"] = kSystemNames[system];
  w["BeskedIdentifier"] = d.guid();
  w["HaendelsesTid"] = tid;
  w["KorrelationsIdentifier"] = d.guid();
  w["EksternIdentifier"] = id;
  w["Identifikation"] = cpr;
  w["AendringstypeId"] = aendring;
  w["AendringstypeNavn"] = aendring_names[aendring - 1];
  w["Body"] = json::object();
  if (d.percent(haendelse_pct)) w["Body"]["Indkaldelsehaendelsestype"] = 1 + d.below(7);
  return w;
}

// ------------------------------------------------------------------------------------------
// The baseline: the same elements, built with pugixml from the parsed JSON values

enum class Root { wsb, snapshot, bridge, literal };

struct Step {
  std::string key;
  std::size_t index = 0;
  bool is_index = false;
};

struct PlanElement {
  int parent = -1;  // index in the plan; -1 at the top level
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // the xmlns the bridge writes
  bool leaf = false;
  Root root = Root::literal;
  std::vector<Step> steps;  // from the root to the value
  std::string literal;      // Root::literal: a text no JSON value spells (a constant, a default)
};

struct Plan {
  std::vector<PlanElement> elements;
  std::size_t leaves = 0, literals = 0, text_bytes = 0;
};

struct Roots {
  const json* of[3];  // wsb, snapshot, bridge
};

const json* resolve(const json& root, const std::vector<Step>& steps) {
  const json* v = &root;
  for (const Step& s : steps) {
    if (s.is_index) {
      if (!v->is_array() || s.index >= v->size()) return nullptr;
      v = &(*v)[s.index];
    } else {
      if (!v->is_object()) return nullptr;
      const auto it = v->find(s.key);
      if (it == v->end()) return nullptr;
      v = &*it;
    }
  }
  return v;
}

// What a hand-written mapping does with a scalar: strings as they are, integers in decimal,
// booleans as true/false. False for anything else.
bool scalar_text(const json& v, char (&buffer)[24], std::string_view& out) {
  if (v.is_string()) {
    out = v.get_ref<const std::string&>();
  } else if (v.is_boolean()) {
    out = v.get<bool>() ? "true" : "false";
  } else if (v.is_number_integer()) {
    const auto r = v.is_number_unsigned()
                       ? std::to_chars(buffer, buffer + sizeof buffer, v.get<std::uint64_t>())
                       : std::to_chars(buffer, buffer + sizeof buffer, v.get<std::int64_t>());
    out = std::string_view(buffer, static_cast<std::size_t>(r.ptr - buffer));
  } else {
    return false;
  }
  return true;
}

class StringWriter : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, std::size_t size) override {
    out_.append(static_cast<const char*>(data), size);
  }

 private:
  std::string& out_;
};

void build(const Plan& plan, const Roots& roots, pugi::xml_document& doc,
           std::vector<pugi::xml_node>& made) {
  made.resize(plan.elements.size());
  char buffer[24];
  for (std::size_t i = 0; i < plan.elements.size(); ++i) {
    const PlanElement& e = plan.elements[i];
    pugi::xml_node parent = e.parent < 0 ? doc : made[static_cast<std::size_t>(e.parent)];
    pugi::xml_node node = parent.append_child(e.name.c_str());
    for (const auto& [name, value] : e.attributes) {
      node.append_attribute(name.c_str()).set_value(value.c_str());
    }
    if (e.leaf) {
      std::string_view text = e.literal;
      if (e.root != Root::literal) {
        const json* v = resolve(*roots.of[static_cast<int>(e.root)], e.steps);
        if (!v || !scalar_text(*v, buffer, text)) fail("baseline: a value its plan needs is gone");
      }
      node.append_child(pugi::node_pcdata).set_value(text.data(), text.size());
    }
    made[i] = node;
  }
}

void serialise(const pugi::xml_document& doc, std::string& out) {
  StringWriter writer(out);
  doc.save(writer, "",
           pugi::format_raw | pugi::format_no_declaration | pugi::format_no_empty_element_tags);
}

// build() + serialise(): one item, as the timed loop makes it.
std::string render(const Plan& plan, const Roots& roots) {
  pugi::xml_document doc;
  std::vector<pugi::xml_node> made;
  build(plan, roots, doc, made);
  std::string out;
  out.reserve(6144);  // as forward() does
  serialise(doc, out);
  return out;
}

// The steps of a JSON pointer below `at`, checked against the value it points into.
std::vector<Step> steps_of(const json::json_pointer& pointer, const json* at) {
  std::vector<Step> steps;
  const std::string text = pointer.to_string();
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t next = std::min(text.find('/', pos + 1), text.size());
    std::string token = text.substr(pos + 1, next - pos - 1);
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    Step s;
    std::size_t index = 0;
    const auto r = std::from_chars(token.data(), token.data() + token.size(), index);
    if (at && at->is_array() && r.ec == std::errc{} && r.ptr == token.data() + token.size()) {
      s.is_index = true;
      s.index = index;
    } else {
      s.key = std::move(token);
    }
    steps.push_back(std::move(s));
    at = at ? resolve(*at, {steps.back()}) : nullptr;
    pos = next;
  }
  return steps;
}

struct PlanBuilder {
  const MappingSet& set;
  const std::string& operation;
  const Roots& roots;
  Plan plan;

  // `each_root`/`each_steps`: where the array element of the innermost 'each' row is.
  void visit(pugi::xml_node xml, int parent, const std::string& path, Root each_root,
             const std::vector<Step>& each_steps) {
    std::vector<std::pair<std::string, int>> seen;  // name -> occurrences so far
    for (pugi::xml_node child : xml.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string name = child.name();
      int occurrence = 1;
      for (auto& [n, count] : seen) {
        if (n == name) occurrence = ++count;
      }
      if (occurrence == 1) seen.emplace_back(name, 1);
      const std::string child_path =
          (path.empty() ? "" : path + "/") + name + "[" + std::to_string(occurrence) + "]";
      PlanElement e;
      e.parent = parent;
      e.name = name;
      for (pugi::xml_attribute a : child.attributes())
        e.attributes.emplace_back(a.name(), a.value());
      e.leaf = !child.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; });
      const Row* row = set.row_for_path(operation, child_path);
      // Where this row's pointer starts.
      Root root = Root::literal;
      std::vector<Step> steps;
      if (row && row->kind != SourceKind::constant) {
        if (row->kind == SourceKind::each) {
          root = each_root;
          steps = each_steps;
        } else {
          root = row->kind == SourceKind::wsb           ? Root::wsb
                 : row->kind == SourceKind::indkaldelse ? Root::snapshot
                                                        : Root::bridge;
        }
        const json* base =
            root == Root::literal ? nullptr : resolve(*roots.of[static_cast<int>(root)], steps);
        for (Step& s : steps_of(row->pointer, base)) steps.push_back(std::move(s));
      }
      const int self = static_cast<int>(plan.elements.size());
      if (e.leaf) {
        const std::string text = child.text().get();
        ++plan.leaves;
        plan.text_bytes += text.size();
        const json* v = root == Root::literal || !row
                            ? nullptr
                            : resolve(*roots.of[static_cast<int>(root)], steps);
        char buffer[24];
        std::string_view from_json;
        if (v && scalar_text(*v, buffer, from_json) && from_json == text) {
          e.root = root;
          e.steps = std::move(steps);
        } else {
          // A constant, a default, or a code list whose legacy value differs from the code.
          e.root = Root::literal;
          e.literal = text;
          ++plan.literals;
        }
        plan.elements.push_back(std::move(e));
        continue;
      }
      plan.elements.push_back(std::move(e));
      if (row && row->transform == Transform::each) {
        std::vector<Step> element_steps = steps;
        Step index;
        index.is_index = true;
        index.index = static_cast<std::size_t>(occurrence - 1);
        element_steps.push_back(index);
        visit(child, self, child_path, root, element_steps);
      } else {
        visit(child, self, child_path, each_root, each_steps);
      }
    }
  }
};

Plan make_plan(const MappingSet& set, const std::string& operation, const std::string& item_xml,
               const Roots& roots, const std::string& label) {
  pugi::xml_document doc;
  const auto parsed =
      doc.load_buffer(item_xml.data(), item_xml.size(), pugi::parse_default | pugi::parse_fragment);
  if (!parsed) {
    fail(label + ": the item is not well-formed XML at offset " + std::to_string(parsed.offset) +
         ": " + parsed.description());
  }
  PlanBuilder b{set, operation, roots, {}};
  b.visit(doc, -1, "", Root::literal, {});
  return std::move(b.plan);
}

// ------------------------------------------------------------------------------------------
// Messages and their items

struct Route {
  const char* operation;
  Plan plan;                   // the baseline's plan of the bridge's item
  std::size_t item_bytes = 0;  // the bridge's item XML
};

struct Input {
  std::string wsb_text, snapshot_text;  // as stored: the WSB as posted, the REST answer
  json bridge;                          // the bridge context: MessageIdentifier, QueuedAt
  std::vector<Route> routes;            // the operations the message is mapped to
};

std::vector<Input> make_inputs(const Options& o) {
  const std::string template_text = read_text(o.wsb);
  const json tmpl = json::parse(template_text, nullptr, false);
  if (!tmpl.is_object() || !tmpl.contains("Oprindelse")) {
    fail(o.wsb + ": not a flat WSB document with Oprindelse and Body");
  }
  Draw d(o.seed);
  std::vector<Input> inputs;
  for (int i = 0; i < o.inputs; ++i) {
    const std::string id = d.guid();
    const Town& town = d.pick(kTowns);
    const json snapshot = make_snapshot(d, id, town);
    const json wsb = make_wsb(d, tmpl, id, town, o.haendelse);
    Input in;
    in.wsb_text = wsb.dump();
    in.snapshot_text = snapshot.dump();
    int q[6];  // month, day, hour, minute, second, millisecond
    const std::uint64_t ranges[6] = {12, 28, 24, 60, 60, 1000};
    for (int k = 0; k < 6; ++k) q[k] = static_cast<int>(d.below(ranges[k]));
    char queued[80];
    std::snprintf(queued, sizeof queued, "2024-%02d-%02dT%02d:%02d:%02d.%03dZ", 1 + q[0], 1 + q[1],
                  q[2], q[3], q[4], q[5]);
    in.bridge = {{"MessageIdentifier", d.guid()}, {"QueuedAt", queued}};
    const bool has_type = wsb["Body"].contains("Indkaldelsehaendelsestype");
    if (o.operation.empty() || o.operation == kIndkaldelse) in.routes.push_back({kIndkaldelse, {}});
    if ((o.operation.empty() || o.operation == kHaendelse) && has_type) {
      in.routes.push_back({kHaendelse, {}});
    }
    inputs.push_back(std::move(in));
  }
  return inputs;
}

// Elements and text bytes below an XML node.
void count_shape(pugi::xml_node node, std::size_t& elements, std::size_t& text) {
  for (pugi::xml_node n : node.children()) {
    if (n.type() == pugi::node_element) ++elements;
    if (n.type() == pugi::node_pcdata) text += std::string_view(n.value()).size();
    count_shape(n, elements, text);
  }
}

// Elements and text bytes of an XML fragment.
std::pair<std::size_t, std::size_t> shape_of(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_fragment)) {
    return {0, 0};
  }
  std::size_t elements = 0, text = 0;
  count_shape(doc, elements, text);
  return {elements, text};
}

struct CheckSummary {
  std::size_t items[2] = {0, 0};  // GetIndkaldelseVersion1, GetIndkaldelseshaendelseVersion1
  std::size_t bytes[2] = {0, 0}, elements[2] = {0, 0};
  std::size_t identical = 0, literals = 0, leaves = 0, warnings = 0;
};

int op_index(const char* operation) { return operation == kIndkaldelse ? 0 : 1; }

// Outside the timing: forward() once per input and operation must give an item, and the
// baseline's plan derived from it must give the same elements and text (byte for byte as far as
// pugixml writes it the same way).
CheckSummary check_and_plan(const MappingSet& set, std::vector<Input>& inputs) {
  CheckSummary c;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Input& in = inputs[i];
    const json wsb = json::parse(in.wsb_text);
    const json snapshot = json::parse(in.snapshot_text);
    const bridge::mapping::Sources sources{&wsb, &snapshot, &in.bridge};
    const Roots roots{{&wsb, &snapshot, &in.bridge}};
    for (Route& r : in.routes) {
      const std::string label = "input #" + std::to_string(i + 1) + ", " + r.operation;
      auto result = set.forward(r.operation, sources);
      if (!result) fail(label + ": forward failed: " + result.error().message);
      const std::string& item = result.value().item_xml;
      c.warnings += result.value().warnings.size();
      r.plan = make_plan(set, r.operation, item, roots, label);
      r.item_bytes = item.size();
      const std::string mine = render(r.plan, roots);
      if (mine == item) {
        ++c.identical;
      } else {
        const auto a = shape_of(item), b = shape_of(mine);
        if (a != b) {
          fail(label + ": the baseline writes " + std::to_string(b.first) + " elements and " +
               std::to_string(b.second) + " text bytes, the bridge " + std::to_string(a.first) +
               " and " + std::to_string(a.second) + "\n  bridge:   " + item +
               "\n  baseline: " + mine);
        }
      }
      const int k = op_index(r.operation);
      ++c.items[k];
      c.bytes[k] += item.size();
      c.elements[k] += r.plan.elements.size();
      c.literals += r.plan.literals;
      c.leaves += r.plan.leaves;
    }
  }
  return c;
}

// ------------------------------------------------------------------------------------------
// Where the time goes: each stage alone, over every message

// The fastest of three runs of `passes` passes: a stage alone is short, and a moment of other
// work on the machine would otherwise land on one stage and mislead.
template <class F>
double seconds_of(int passes, F&& body) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = Clock::now();
    for (int p = 0; p < passes; ++p) body();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (run == 0 || s < best) best = s;
  }
  return best;
}

void print_breakdown(const MappingSet& set, const std::vector<Input>& inputs,
                     const CheckSummary& c) {
  const std::size_t n = inputs.size();
  const int passes = static_cast<int>(std::max<std::size_t>(1, 4000 / n));
  std::size_t sink = 0;
  std::vector<json> wsbs(n), snapshots(n);
  const double parse_wsb = seconds_of(passes, [&] {
    for (std::size_t i = 0; i < n; ++i) wsbs[i] = json::parse(inputs[i].wsb_text);
  });
  const double parse_snapshot = seconds_of(passes, [&] {
    for (std::size_t i = 0; i < n; ++i) snapshots[i] = json::parse(inputs[i].snapshot_text);
  });
  double forward[2] = {0, 0}, build_s = 0, serialise_s = 0;
  for (int k = 0; k < 2; ++k) {
    forward[k] = seconds_of(passes, [&] {
      for (std::size_t i = 0; i < n; ++i) {
        const bridge::mapping::Sources sources{&wsbs[i], &snapshots[i], &inputs[i].bridge};
        for (const Route& r : inputs[i].routes) {
          if (op_index(r.operation) != k) continue;
          auto result = set.forward(r.operation, sources);
          if (!result) fail(result.error().message);
          sink += result.value().item_xml.size();
        }
      }
    });
  }
  std::vector<std::unique_ptr<pugi::xml_document>> docs;
  std::vector<pugi::xml_node> made;
  build_s = seconds_of(passes, [&] {
    for (std::size_t i = 0; i < n; ++i) {
      const Roots roots{{&wsbs[i], &snapshots[i], &inputs[i].bridge}};
      for (const Route& r : inputs[i].routes) {
        pugi::xml_document doc;
        build(r.plan, roots, doc, made);
      }
    }
  });
  for (std::size_t i = 0; i < n; ++i) {
    const Roots roots{{&wsbs[i], &snapshots[i], &inputs[i].bridge}};
    for (const Route& r : inputs[i].routes) {
      docs.push_back(std::make_unique<pugi::xml_document>());
      build(r.plan, roots, *docs.back(), made);
    }
  }
  serialise_s = seconds_of(passes, [&] {
    for (const auto& doc : docs) {
      std::string out;
      out.reserve(6144);
      serialise(*doc, out);
      sink += out.size();
    }
  });
  const double per_msg = 1e6 / static_cast<double>(passes * n);
  const double all_items =
      static_cast<double>(passes) * static_cast<double>(c.items[0] + c.items[1]);
  std::printf(
      "\nwhere the time goes (each stage alone, fastest of 3 x %d pass(es) over the %zu inputs; "
      "us):\n",
      passes, n);
  std::printf("  both    parse WSB text      %7.2f per message\n", parse_wsb * per_msg);
  std::printf("  both    parse snapshot text %7.2f per message\n", parse_snapshot * per_msg);
  for (int k = 0; k < 2; ++k) {
    if (c.items[k] == 0) continue;
    std::printf("  bridge  forward %-32s %7.2f per item\n", k == 0 ? kIndkaldelse : kHaendelse,
                forward[k] * 1e6 / (static_cast<double>(passes) * static_cast<double>(c.items[k])));
  }
  std::printf("  base    build pugixml tree  %7.2f per item (with the document's destruction)\n",
              build_s * 1e6 / all_items);
  std::printf("  base    serialise           %7.2f per item\n", serialise_s * 1e6 / all_items);
  std::printf("  (%zu bytes written)\n", sink);
}

// ------------------------------------------------------------------------------------------
// The measured phases

struct Totals {
  double seconds = 0, cpu_ms = 0;
  long long messages = 0, items = 0, bytes = 0;
  double rate() const { return static_cast<double>(messages) / seconds; }
};

// `count` messages from position `first` (the message list is used in turn). Both sides parse
// the two JSON texts; then the bridge maps with forward(), the baseline builds and serialises.
double run_phase(bool is_baseline, const MappingSet& set, const std::vector<const Input*>& messages,
                 std::size_t first, std::size_t count, Totals& t) {
  long long items = 0, bytes = 0;
  const double cpu0 = cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID);
  const auto t0 = Clock::now();
  if (is_baseline) {
    for (std::size_t k = 0; k < count; ++k) {
      const Input& in = *messages[(first + k) % messages.size()];
      const json wsb = json::parse(in.wsb_text);
      const json snapshot = json::parse(in.snapshot_text);
      const Roots roots{{&wsb, &snapshot, &in.bridge}};
      for (const Route& r : in.routes) {
        bytes += static_cast<long long>(render(r.plan, roots).size());
        ++items;
      }
    }
  } else {
    for (std::size_t k = 0; k < count; ++k) {
      const Input& in = *messages[(first + k) % messages.size()];
      const json wsb = json::parse(in.wsb_text);
      const json snapshot = json::parse(in.snapshot_text);
      const bridge::mapping::Sources sources{&wsb, &snapshot, &in.bridge};
      for (const Route& r : in.routes) {
        auto result = set.forward(r.operation, sources);
        if (!result) fail(std::string(r.operation) + ": " + result.error().message);
        bytes += static_cast<long long>(result.value().item_xml.size());
        ++items;
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  t.cpu_ms += cpu_clock_ms(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  t.seconds += seconds;
  t.messages += static_cast<long long>(count);
  t.items += items;
  t.bytes += bytes;
  return static_cast<double>(count) / seconds;
}

void print_row(const char* name, const Totals& t) {
  const double m = static_cast<double>(t.messages);
  std::printf("%-26s %10.1f %10.1f %10.2f %10.2f %9.1f\n", name, t.rate(),
              static_cast<double>(t.items) / t.seconds, t.seconds * 1e6 / m, t.cpu_ms * 1e3 / m,
              static_cast<double>(t.bytes) / t.seconds / 1e6);
}

// ------------------------------------------------------------------------------------------
// The run

void measure(const Options& o) {
  const auto started = Clock::now();
  auto loaded = MappingSet::load_checked(o.mappings_dir, o.xsd_dir);
  if (!loaded) fail(loaded.error().message);
  const MappingSet& set = *loaded.value();

  std::vector<Input> inputs = make_inputs(o);
  const CheckSummary c = check_and_plan(set, inputs);
  std::vector<const Input*> messages;
  for (const Input& in : inputs) {
    if (!in.routes.empty()) messages.push_back(&in);
  }
  if (messages.empty()) fail("no input is mapped to " + o.operation + " (see --haendelse)");

  std::size_t wsb_bytes = 0, snapshot_bytes = 0, deltagere = 0;
  for (const Input* in : messages) {
    wsb_bytes += in->wsb_text.size();
    snapshot_bytes += in->snapshot_text.size();
    deltagere += json::parse(in->snapshot_text)["myndighedsdeltagere"].size();
  }
  const std::size_t per_round = static_cast<std::size_t>(o.messages / o.rounds);
  const auto avg = [](std::size_t total, std::size_t n) {
    return n ? static_cast<double>(total) / static_cast<double>(n) : 0.0;
  };
  std::printf(
      "mapping_bench: %zu distinct message(s) (of %d generated, seed %d), %d round(s) x %zu "
      "message(s) per server;\n  build %s; nlohmann/json %d.%d.%d, pugixml %d.%d; %u CPU(s)\n",
      messages.size(), o.inputs, o.seed, o.rounds, per_round, BRIDGE_BENCH_BUILD_TYPE,
      NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH,
      PUGIXML_VERSION / 1000, PUGIXML_VERSION % 1000 / 10, std::thread::hardware_concurrency());
  std::printf("  per message: WSB text %.0f B, snapshot text %.0f B (%.2f myndighedsdeltagere)\n",
              avg(wsb_bytes, messages.size()), avg(snapshot_bytes, messages.size()),
              avg(deltagere, messages.size()));
  for (int k = 0; k < 2; ++k) {
    if (c.items[k] == 0) continue;
    std::printf("  %-33s %4zu item(s), %6.0f B and %4.1f elements per item\n",
                k == 0 ? kIndkaldelse : kHaendelse, c.items[k], avg(c.bytes[k], c.items[k]),
                avg(c.elements[k], c.items[k]));
  }
  const std::size_t all_items = c.items[0] + c.items[1];
  std::printf(
      "  check: forward() gave an item for every one of the %zu (message, operation) pairs "
      "(%zu warning(s));\n         the baseline's XML is the bridge's byte for byte for %zu of "
      "them, the same elements and text for all;\n         %zu of %zu leaves copied as literals "
      "(constants, defaults, code values that differ)\n",
      all_items, c.warnings, c.identical, c.literals, c.leaves);

  print_breakdown(set, inputs, c);

  // A warm-up phase of each (not counted), then the alternating rounds over the same messages.
  Totals ignored;
  run_phase(true, set, messages, 0, messages.size(), ignored);
  run_phase(false, set, messages, 0, messages.size(), ignored);
  Totals base, real;
  const std::vector<double> round_ratios =
      alternate_rounds(o.rounds, "baseline msg/s", "bridge msg/s", [&](int r, bool is_baseline) {
        return run_phase(is_baseline, set, messages, static_cast<std::size_t>(r) * per_round,
                         per_round, is_baseline ? base : real);
      });

  std::printf("\n%-26s %10s %10s %10s %10s %9s\n", "", "msg/s", "items/s", "wall/msg", "CPU/msg",
              "XML out");
  std::printf("%-26s %10s %10s %10s %10s %9s\n", "", "", "", "us", "us", "MB/s");
  print_row("baseline (json + pugixml)", base);
  print_row("wsrm-bridge (forward)", real);
  print_ratio("msg/s", real.rate() / base.rate(), round_ratios);
  // Other work on the machine stretches wall time, not (much) CPU time: when the two differ,
  // this is the steadier figure.
  std::printf("ratio bridge/baseline by CPU time per message: %.3f\n", base.cpu_ms / real.cpu_ms);
  std::printf("  items per message %.3f; both sides parse both JSON texts of every message\n",
              static_cast<double>(real.items) / static_cast<double>(real.messages));
  print_total_run_time(started);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::guarded_main("mapping_bench", [&] {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    measure(parse_options(argc, argv));
    return 0;
  });
}
