#pragma once
// Inline SVG charts for the report: no script, no external asset, readable when printed.
// Every chart is <svg class="chart" data-chart="NAME" data-marks="N">, where N is the number of
// data marks (elements with a data-mark attribute: a bar, a point); the report's self-check
// compares the two. With no data a chart still draws its frame and says "no data yet".

#include <string>
#include <vector>

namespace bridge::report {

struct Bar {
  std::string label;  // under (or beside) the bar
  double value = 0;
  std::string value_label;  // printed at the bar; empty: the value
};

// Vertical bars, e.g. messages per day.
std::string bar_chart(const std::string& name, const std::string& title,
                      const std::vector<Bar>& bars);
// Horizontal bars with long labels, e.g. difference rate per field.
std::string hbar_chart(const std::string& name, const std::string& title,
                       const std::vector<Bar>& bars);

struct Series {
  std::string name;
  std::vector<double> values;  // one per x label
};

// Lines with a point per value, e.g. counted differences and pairs per comparison run.
std::string line_chart(const std::string& name, const std::string& title,
                       const std::vector<std::string>& x_labels, const std::vector<Series>& series);

}  // namespace bridge::report
