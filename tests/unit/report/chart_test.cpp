// Tests bridge/report/chart.cpp: every chart is well-formed SVG with its data marks counted.
#include "bridge/report/chart.h"

#include <boost/test/unit_test.hpp>
#include <pugixml.hpp>

#include <string>

namespace {

struct Parsed {
  pugi::xml_document doc;
  pugi::xml_node svg;
  std::size_t marks = 0;
};

void parse(const std::string& svg, Parsed& p) {
  const auto result = p.doc.load_string(svg.c_str());
  BOOST_REQUIRE_MESSAGE(result, std::string("not well-formed: ") + result.description());
  p.svg = p.doc.child("svg");
  BOOST_REQUIRE(p.svg);
  p.marks = p.doc.select_nodes("//*[@data-mark]").size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chart)

BOOST_AUTO_TEST_CASE(empty_charts_say_no_data_yet_and_have_no_marks) {
  for (const std::string& svg :
       {bridge::report::bar_chart("days", "Per day", {}),
        bridge::report::hbar_chart("rates", "Rates", {}),
        bridge::report::line_chart("trend", "Trend", {}, {{"counted", {}}})}) {
    Parsed p;
    parse(svg, p);
    BOOST_TEST(std::string(p.svg.attribute("class").value()) == "chart");
    BOOST_TEST(std::string(p.svg.attribute("data-marks").value()) == "0");
    BOOST_TEST(p.marks == 0u);
    BOOST_TEST(svg.find("no data yet") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(bars_and_points_are_data_marks_counted_on_the_chart) {
  Parsed bars;
  parse(bridge::report::bar_chart("days", "Per <day>", {{"11-27", 3, ""}, {"11-28", 0, ""}}), bars);
  BOOST_TEST(std::string(bars.svg.attribute("data-chart").value()) == "days");
  BOOST_TEST(std::string(bars.svg.attribute("data-marks").value()) == "2");
  BOOST_TEST(bars.marks == 2u);
  // A zero still has a visible mark.
  for (auto r : bars.doc.select_nodes("//rect[@data-mark]")) {
    BOOST_TEST(r.node().attribute("height").as_double() > 0);
  }

  Parsed h;
  parse(bridge::report::hbar_chart("rates", "Rates", {{"a & b", 50, "50 %"}}), h);
  BOOST_TEST(h.marks == 1u);

  Parsed line;
  parse(bridge::report::line_chart("trend", "Trend", {"#1", "#2", "#3"},
                                   {{"counted", {0, 2, 1}}, {"pairs", {7, 7, 8}}}),
        line);
  BOOST_TEST(std::string(line.svg.attribute("data-marks").value()) == "6");
  BOOST_TEST(line.marks == 6u);
  BOOST_TEST(line.doc.select_nodes("//polyline").size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
