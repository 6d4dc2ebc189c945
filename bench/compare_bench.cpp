// compare_bench: comparison throughput (message pairs per second) against pugixml parsing alone.
//
// One run does, in this order:
//   1. generates --pairs distinct message pairs from a fixed seed: the bridge's item for the
//      seed (forward() with the real tables) with its varying fields replaced (indkaldelse, event
//      time, title, participants' order), and a legacy copy of it with known differences in a
//      share of the pairs (a wrong code, a date with fewer fraction digits, a missing element).
//      Each side of a pair is a whole GetIndkaldelseVersion1Response SOAP envelope, as `shadow`
//      records it;
//   2. checks once that compare finds exactly the differences it planted;
//   3. runs alternating rounds (baseline first in odd rounds, compare first in even ones) over
//      the same documents: the baseline parses both documents of every pair with pugixml and
//      nothing else; compare parses them the same way, takes the items out of the envelopes,
//      matches the messages by business key and compares every pair field by field
//      (Comparer::run: statistics, ignore rules, attribution included);
//   4. prints pairs/s of both and the ratio compare/baseline.
// Timings are reported, never asserted. See bench/README.md.

#include "bench_support.h"
#include "bridge/compare/compare.h"

#include <pugixml.hpp>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace bench;
using namespace bridge::compare;

#ifndef BRIDGE_SOURCE_DIR
#define BRIDGE_SOURCE_DIR "."
#endif
#ifndef BRIDGE_BENCH_BUILD_TYPE
#define BRIDGE_BENCH_BUILD_TYPE "?"
#endif

constexpr const char* kOp = "GetIndkaldelseVersion1";

struct Options {
  int pairs = 2000;  // per round
  int rounds = 8;
  int seed = 1;
  int differ = 20;  // % of pairs with a planted difference
  std::string source = BRIDGE_SOURCE_DIR;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: compare_bench [options]\n"
               "  --pairs N      message pairs per round (default 2000)\n"
               "  --rounds N     alternating baseline/compare rounds (default 8)\n"
               "  --seed N       generator seed (default 1)\n"
               "  --differ PCT   share of pairs with a planted difference (default 20)\n"
               "  --source DIR   source tree with mappings/ and wsdl/ (default: this build's)\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  ArgCursor args(argc, argv);
  while (args.next()) {
    const std::string a = args.arg();
    if (a == "--pairs") {
      o.pairs = args.number(1, 10000000);
    } else if (a == "--rounds") {
      o.rounds = args.number(1, 1000);
    } else if (a == "--seed") {
      o.seed = args.number(0, 1000000000);
    } else if (a == "--differ") {
      o.differ = args.number(0, 100);
    } else if (a == "--source") {
      o.source = args.value();
    } else {
      args.help_or_unknown(usage);
    }
  }
  return o;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) fail("the seed item has no '" + from + "' to vary");
  text.replace(at, from.size(), to);
  return text;
}

std::string envelope(const std::string& item_content) {
  return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><" +
         std::string(kOp) + "Response xmlns=\"http://service.bm.dk/pjaktass/wsrm/11/\">" +
         "<IndkaldelseRegistration>" + item_content + "</IndkaldelseRegistration></" + kOp +
         "Response></s:Body></s:Envelope>";
}

struct Pair {
  std::string legacy, bridge;
};

struct Generated {
  std::vector<Pair> pairs;
  int planted = 0;  // pairs with a planted difference
};

Generated generate(const Options& o, const std::string& seed_item) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(o.seed) * 0x9E3779B97F4A7C15ULL + 7);
  const char* titles[] = {"Jobsamtale", "CV-samtale", "Rådighedssamtale", "Fælles jobsamtale"};
  Generated g;
  for (int i = 0; i < o.pairs; ++i) {
    char id[40], when[40];
    std::snprintf(id, sizeof id, "%08x-54a7-4f3b-9b81-%012llx", static_cast<unsigned>(rng()),
                  static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    std::snprintf(when, sizeof when, "2024-%02d-%02dT%02d:%02d:%02d.%06d+02:00",
                  static_cast<int>(1 + rng() % 12), static_cast<int>(1 + rng() % 28),
                  static_cast<int>(rng() % 24), static_cast<int>(rng() % 60),
                  static_cast<int>(rng() % 60), static_cast<int>(rng() % 1000000));
    std::string item = replaced(seed_item, "xxxxxxxx-54a7-4f3b-9b81-dd2661e45600", id);
    item = replaced(item, "2024-04-23T12:47:17.154073+02:00", when);
    item = replaced(item, ">Jobsamtale<", ">" + std::string(titles[rng() % 4]) + "<");
    std::string legacy = item;
    if (static_cast<int>(rng() % 100) < o.differ) {
      ++g.planted;
      switch (rng() % 3) {
        case 0:
          legacy = replaced(legacy, ">7</InterviewTypeIdentifier>", ">4</InterviewTypeIdentifier>");
          break;
        case 1:
          legacy = replaced(legacy, "<CaseworkerName", "<CaseworkerNam");
          legacy = replaced(legacy, "</CaseworkerName>", "</CaseworkerNam>");
          break;
        default:
          legacy = replaced(legacy, ">Mette Hansen<", ">Mette Hansen-Berg<");
      }
    }
    g.pairs.push_back({envelope(legacy), envelope(item)});
  }
  return g;
}

std::shared_ptr<pugi::xml_document> parse(const std::string& text) {
  auto doc = std::make_shared<pugi::xml_document>();
  if (!doc->load_buffer(text.data(), text.size())) fail("a generated document is not XML");
  return doc;
}

// Baseline: both documents of every pair parsed, nothing else.
std::size_t baseline_round(const std::vector<Pair>& pairs) {
  std::size_t nodes = 0;
  for (const auto& p : pairs) {
    pugi::xml_document a, b;
    if (!a.load_buffer(p.legacy.data(), p.legacy.size()) ||
        !b.load_buffer(p.bridge.data(), p.bridge.size())) {
      fail("a generated document is not XML");
    }
    nodes += a.document_element() ? 1 : 0;
    nodes += b.document_element() ? 1 : 0;
  }
  return nodes;
}

RunResult compare_round(const Comparer& comparer, const std::vector<Pair>& pairs) {
  std::vector<Item> legacy, bridge;
  legacy.reserve(pairs.size());
  bridge.reserve(pairs.size());
  for (const auto& p : pairs) {
    for (auto* side : {&legacy, &bridge}) {
      const std::string& text = side == &legacy ? p.legacy : p.bridge;
      auto items = items_of_response(kOp, parse(text), "bench", {});
      if (!items || items.value().size() != 1) fail("items_of_response failed");
      side->push_back(std::move(items.value()[0]));
    }
  }
  return comparer.run(legacy, bridge, nullptr);
}

void measure(const Options& o) {
  const auto started = Clock::now();
  std::printf("compare_bench (%s build): %d pairs per round, %d rounds, %d%% with a difference\n",
              BRIDGE_BENCH_BUILD_TYPE, o.pairs, o.rounds, o.differ);
  auto mappings =
      bridge::mapping::MappingSet::load_checked(o.source + "/mappings", o.source + "/wsdl/xsd");
  if (!mappings) fail(mappings.error().message);
  auto schema = bridge::mapping::Schema::load_directory(o.source + "/wsdl/xsd");
  if (!schema) fail(schema.error().message);
  auto rules = Rules::load(o.source + "/mappings/compare/rules.toml");
  if (!rules) fail(rules.error().message);
  auto comparer = Comparer::create(mappings.value(), schema.value(), std::move(rules).value());
  if (!comparer) fail(comparer.error().message);

  // The seed item, as the bridge writes it.
  nlohmann::json wsb =
      nlohmann::json::parse(read_text(o.source + "/tests/fixtures/wsb/seed_flat_with_body.json"));
  nlohmann::json rest =
      nlohmann::json::parse(read_text(o.source + "/tests/fixtures/dfdg/indkaldelse_seed.json"));
  nlohmann::json context = nlohmann::json::parse(
      read_text(o.source + "/tests/fixtures/mapping/bridge_context_seed.json"));
  auto item = mappings.value()->forward(kOp, {&wsb, &rest, &context});
  if (!item) fail(item.error().message);
  const Generated g = generate(o, item.value().item_xml);

  // Compare must find exactly what was planted before its speed means anything.
  const RunResult check = compare_round(comparer.value(), g.pairs);
  if (check.operations.size() != 1 || check.operations[0].pairs != o.pairs ||
      check.operations[0].pairs_with_differences != g.planted) {
    fail(
        "compare found " +
        std::to_string(check.operations.empty() ? -1 : check.operations[0].pairs_with_differences) +
        " pairs with differences, " + std::to_string(g.planted) + " were planted");
  }
  std::printf("check: %d pair(s) matched, %d with the planted differences found\n\n", o.pairs,
              g.planted);

  double seconds[2] = {0, 0};  // baseline, compare: all rounds together
  const auto ratios =
      alternate_rounds(o.rounds, "baseline pairs/s", "compare pairs/s", [&](int, bool is_baseline) {
        const auto t0 = Clock::now();
        if (is_baseline) {
          baseline_round(g.pairs);
        } else {
          compare_round(comparer.value(), g.pairs);
        }
        const double s = ms_between(t0, Clock::now()) / 1000.0;
        seconds[is_baseline ? 0 : 1] += s;
        return static_cast<double>(o.pairs) / s;
      });
  const double all = static_cast<double>(o.pairs) * o.rounds;
  std::printf(
      "\nbaseline (pugixml parse only): %.0f pairs/s\ncompare:                       %.0f "
      "pairs/s\n",
      all / seconds[0], all / seconds[1]);
  print_ratio("pairs/s", seconds[0] / seconds[1], ratios);
  std::printf(
      "  both sides parse both SOAP documents of every pair with pugixml; compare also\n"
      "  matches the messages by key and compares every field by its XSD type\n");
  print_total_run_time(started);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::guarded_main("compare_bench", [&] {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    measure(parse_options(argc, argv));
    return 0;
  });
}
