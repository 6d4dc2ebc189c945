// Tests bridge/report/html.cpp (and json.cpp): the page is well-formed XHTML with every section,
// for a fresh store and for one with data.
#include "bridge/report/report.h"
#include "tests/unit/report/store_fixture.h"
#include "tests/unit/support/result.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace {

using namespace bridge::report;
using namespace bridge::report::test;

const std::string kA = "GetIndkaldelseVersion1";

void check_page(const std::string& html, pugi::xml_document& doc) {
  const auto result = doc.load_string(html.c_str());
  BOOST_REQUIRE_MESSAGE(result, std::string("not well-formed at offset ") +
                                    std::to_string(result.offset) + ": " + result.description());
  for (const char* id : {"readiness", "coverage", "comparison", "consumers", "ingest"}) {
    BOOST_TEST(doc.select_node((std::string("//section[@id='") + id + "']").c_str()),
               "section " << id);
  }
  // No external asset: nothing is loaded from anywhere.
  BOOST_TEST(doc.select_nodes("//*[@src]").empty());
  BOOST_TEST(doc.select_nodes("//link").empty());
  const auto charts = doc.select_nodes("//svg[@class='chart']");
  BOOST_TEST(charts.size() == 3u);
  for (const auto& c : charts) {
    const std::size_t marks = c.node().select_nodes(".//*[@data-mark]").size();
    BOOST_TEST(c.node().attribute("data-marks").as_ullong() == marks);
  }
  BOOST_TEST(doc.select_node("//script"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(html)

BOOST_AUTO_TEST_CASE(a_fresh_store_gives_a_complete_page_saying_no_data_yet) {
  StoreFixture s;
  auto data = gather(s.path(), {{"jobcenter", {{8, "44000"}}, {kA}, {}, {}, {}}}, coverage_of({kA}),
                     options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const std::string html = render_html(data.value());
  pugi::xml_document doc;
  check_page(html, doc);
  BOOST_TEST(html.find("no data yet") != std::string::npos);
  for (const auto& c : doc.select_nodes("//svg[@class='chart']")) {
    BOOST_TEST(c.node().attribute("data-marks").as_int() == 0);
  }
  const auto json = nlohmann::json::parse(render_json(data.value()));
  BOOST_TEST(json["format"] == "wsrm-migration-report/1");
  BOOST_TEST(json["comparison"]["runs"].empty());
  BOOST_TEST(json["readiness"][0]["ready"] == false);
}

BOOST_AUTO_TEST_CASE(a_store_with_data_is_escaped_linked_and_masked) {
  StoreFixture s;
  s.run(1, "8/44000", kNow - kHour, false,
        R"({"operations":[{"operation":"GetIndkaldelseVersion1","exceeded":true,"pairs":2,)"
        R"("pairs_with_differences":1,"legacy_only":[],"bridge_only":[]}],)"
        R"("differences":[{"operation":"GetIndkaldelseVersion1","field":"Title",)"
        R"("outcome":"different","standing":"counted","key":"k","legacy":"<b>&amp; 0101901234",)"
        R"("bridge":"x","reason":"r"}]})",
        2, 1);
  s.field(1, kA, "Title", "_f.toml#titel", 2, 1);
  s.inbox("b1", kNow - kHour, 8, "44000");
  auto data = gather(s.path(), {{"jobcenter", {{8, "44000"}}, {kA}, {}, {}, {}}}, coverage_of({kA}),
                     options_at_now());
  BRIDGE_REQUIRE_OK(data);
  const std::string html = render_html(data.value());
  pugi::xml_document doc;
  check_page(html, doc);
  BOOST_TEST(html.find("0101901234") == std::string::npos);
  BOOST_TEST(html.find("&lt;b&gt;&amp;amp;") != std::string::npos);
  BOOST_TEST(
      doc.select_node("//a[@href='../docs/mapping-tables.md#getindkaldelseversion1-titel']"));
  BOOST_TEST(doc.select_node("//svg[@data-chart='compare-trend']")
                 .node()
                 .attribute("data-marks")
                 .as_int() == 2);
  BOOST_TEST(doc.select_node("//svg[@data-chart='ingest-daily']")
                 .node()
                 .attribute("data-marks")
                 .as_int() == 1);
  BOOST_TEST(
      doc.select_node("//tr[@data-operation='GetIndkaldelseVersion1'][@data-ready='false']"));
}

BOOST_AUTO_TEST_SUITE_END()
