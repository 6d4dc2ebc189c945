// SVG charts of the report (see chart.h).

#include "bridge/report/chart.h"

#include "bridge/core/xml_text.h"
#include "bridge/report/text.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace bridge::report {
namespace {

constexpr double kWidth = 760;
const char* const kColours[] = {"#b03a2e", "#1f618d", "#7d6608", "#196f3d"};

std::string open_svg(const std::string& name, const std::string& title, double height,
                     std::size_t marks) {
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"" << xml_escape(name)
    << "\" data-marks=\"" << marks << "\" viewBox=\"0 0 " << format_coord(kWidth) << " "
    << format_coord(height) << "\" width=\"" << format_coord(kWidth) << "\" height=\""
    << format_coord(height) << "\" role=\"img\" aria-label=\"" << xml_escape(title) << "\"><title>"
    << xml_escape(title) << "</title>"
    << "<text class=\"chart-title\" x=\"8\" y=\"16\">" << xml_escape(title) << "</text>";
  return s.str();
}

std::string empty_chart(const std::string& name, const std::string& title) {
  std::ostringstream s;
  s << open_svg(name, title, 120, 0)
    << "<rect class=\"frame\" x=\"8\" y=\"28\" width=\"744\" height=\"84\" fill=\"none\" "
       "stroke=\"#999\"/>"
    << "<text class=\"no-data\" x=\"380\" y=\"76\" text-anchor=\"middle\">no data yet</text>"
    << "</svg>";
  return s.str();
}

// A round upper bound for an axis: 1, 2, 5 × 10^k.
double nice_max(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

std::string number_label(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return std::to_string(std::llround(v));
  return format_coord(v);
}

std::string truncate(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - (n - 3));
}

// Horizontal grid lines with their values, for a plot from y0 (bottom) to y1 (top).
void y_axis(std::ostringstream& s, double left, double right, double y0, double y1, double max) {
  for (int i = 0; i <= 4; ++i) {
    const double y = y0 - (y0 - y1) * i / 4.0;
    s << "<line class=\"grid\" x1=\"" << format_coord(left) << "\" x2=\"" << format_coord(right)
      << "\" y1=\"" << format_coord(y) << "\" y2=\"" << format_coord(y)
      << "\" stroke=\"#ddd\"/><text class=\"axis\" x=\"" << format_coord(left - 4) << "\" y=\""
      << format_coord(y + 4) << "\" text-anchor=\"end\">" << number_label(max * i / 4.0)
      << "</text>";
  }
}

}  // namespace

std::string bar_chart(const std::string& name, const std::string& title,
                      const std::vector<Bar>& bars) {
  if (bars.empty()) return empty_chart(name, title);
  const double height = 260, left = 56, right = kWidth - 12, top = 32, bottom = height - 44;
  double max = 0;
  for (const auto& b : bars) max = std::max(max, b.value);
  max = nice_max(max);
  std::ostringstream s;
  s << open_svg(name, title, height, bars.size());
  y_axis(s, left, right, bottom, top, max);
  const double slot = (right - left) / static_cast<double>(bars.size());
  const double width = std::max(1.0, slot * 0.7);
  const std::size_t every = std::max<std::size_t>(1, bars.size() / 12 + (bars.size() % 12 != 0));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double h = std::max(0.0, (bottom - top) * b.value / max);
    const double x = left + slot * static_cast<double>(i) + (slot - width) / 2;
    const std::string value = b.value_label.empty() ? number_label(b.value) : b.value_label;
    // A zero still gets a visible hairline, so every datum has a mark with a size.
    s << "<rect data-mark=\"bar\" class=\"bar\" x=\"" << format_coord(x) << "\" y=\""
      << format_coord(bottom - std::max(h, 1.0)) << "\" width=\"" << format_coord(width)
      << "\" height=\"" << format_coord(std::max(h, 1.0)) << "\" fill=\"#1f618d\"><title>"
      << xml_escape(b.label) << ": " << xml_escape(value) << "</title></rect>";
    if (bars.size() <= 31) {
      s << "<text class=\"value\" x=\"" << format_coord(x + width / 2) << "\" y=\""
        << format_coord(bottom - h - 4) << "\" text-anchor=\"middle\">" << xml_escape(value)
        << "</text>";
    }
    if (i % every == 0) {
      s << "<text class=\"axis\" x=\"" << format_coord(x + width / 2) << "\" y=\""
        << format_coord(bottom + 16) << "\" text-anchor=\"middle\">" << xml_escape(b.label)
        << "</text>";
    }
  }
  s << "<line class=\"axis-line\" x1=\"" << format_coord(left) << "\" x2=\"" << format_coord(right)
    << "\" y1=\"" << format_coord(bottom) << "\" y2=\"" << format_coord(bottom)
    << "\" stroke=\"#333\"/></svg>";
  return s.str();
}

std::string hbar_chart(const std::string& name, const std::string& title,
                       const std::vector<Bar>& bars) {
  if (bars.empty()) return empty_chart(name, title);
  const double row = 22, top = 30, left = 330, right = kWidth - 70;
  const double height = top + row * static_cast<double>(bars.size()) + 12;
  double max = 0;
  for (const auto& b : bars) max = std::max(max, b.value);
  if (max <= 0) max = 1;
  std::ostringstream s;
  s << open_svg(name, title, height, bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double y = top + row * static_cast<double>(i);
    const double w = std::max(1.0, (right - left) * b.value / max);
    const std::string value = b.value_label.empty() ? number_label(b.value) : b.value_label;
    s << "<text class=\"axis\" x=\"" << format_coord(left - 6) << "\" y=\"" << format_coord(y + 15)
      << "\" text-anchor=\"end\">" << xml_escape(truncate(b.label, 52)) << "</text>"
      << "<rect data-mark=\"bar\" class=\"bar\" x=\"" << format_coord(left) << "\" y=\""
      << format_coord(y + 3) << "\" width=\"" << format_coord(w) << "\" height=\""
      << format_coord(row - 6) << "\" fill=\"#b03a2e\"><title>" << xml_escape(b.label) << ": "
      << xml_escape(value) << "</title></rect><text class=\"value\" x=\""
      << format_coord(left + w + 4) << "\" y=\"" << format_coord(y + 15) << "\">"
      << xml_escape(value) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

std::string line_chart(const std::string& name, const std::string& title,
                       const std::vector<std::string>& x_labels,
                       const std::vector<Series>& series) {
  std::size_t marks = 0;
  double max = 0;
  for (const auto& se : series) {
    marks += std::min(se.values.size(), x_labels.size());
    for (double v : se.values) max = std::max(max, v);
  }
  if (x_labels.empty() || marks == 0) return empty_chart(name, title);
  max = nice_max(max);
  const double height = 300, left = 56, right = kWidth - 16, top = 48, bottom = height - 44;
  std::ostringstream s;
  s << open_svg(name, title, height, marks);
  // Legend.
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double x = 8 + 190 * static_cast<double>(k);
    s << "<rect x=\"" << format_coord(x) << "\" y=\"26\" width=\"12\" height=\"12\" fill=\""
      << kColours[k % 4] << "\"/><text class=\"legend\" x=\"" << format_coord(x + 16)
      << "\" y=\"36\">" << xml_escape(series[k].name) << "</text>";
  }
  y_axis(s, left, right, bottom, top, max);
  const std::size_t n = x_labels.size();
  const auto x_at = [&](std::size_t i) {
    return n == 1 ? (left + right) / 2
                  : left + 10 +
                        (right - left - 20) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  const auto y_at = [&](double v) { return bottom - (bottom - top) * v / max; };
  const std::size_t every = std::max<std::size_t>(1, n / 10 + (n % 10 != 0));
  for (std::size_t i = 0; i < n; i += every) {
    s << "<text class=\"axis\" x=\"" << format_coord(x_at(i)) << "\" y=\""
      << format_coord(bottom + 16) << "\" text-anchor=\"middle\">"
      << xml_escape(truncate(x_labels[i], 18)) << "</text>";
  }
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& se = series[k];
    const std::size_t m = std::min(se.values.size(), n);
    std::string points;
    for (std::size_t i = 0; i < m; ++i) {
      points += (i ? " " : "") + format_coord(x_at(i)) + "," + format_coord(y_at(se.values[i]));
    }
    if (m > 1) {
      s << "<polyline class=\"line\" fill=\"none\" stroke=\"" << kColours[k % 4]
        << "\" stroke-width=\"2\" points=\"" << points << "\"/>";
    }
    for (std::size_t i = 0; i < m; ++i) {
      s << "<circle data-mark=\"point\" cx=\"" << format_coord(x_at(i)) << "\" cy=\""
        << format_coord(y_at(se.values[i])) << "\" r=\"4\" fill=\"" << kColours[k % 4]
        << "\"><title>" << xml_escape(x_labels[i]) << ": " << xml_escape(se.name) << " "
        << number_label(se.values[i]) << "</title></circle>";
    }
  }
  s << "<line class=\"axis-line\" x1=\"" << format_coord(left) << "\" x2=\"" << format_coord(right)
    << "\" y1=\"" << format_coord(bottom) << "\" y2=\"" << format_coord(bottom)
    << "\" stroke=\"#333\"/></svg>";
  return s.str();
}

}  // namespace bridge::report
