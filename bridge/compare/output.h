#pragma once
// The results of a comparison run as a terminal summary, a JSON file (schema
// "wsrm-compare-result/1", docs/comparison.md) and JUnit XML for CI pipelines.

#include "bridge/compare/compare.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace bridge::compare {

struct RunInfo {
  std::string label;
  std::string started_at, finished_at;  // ISO 8601 UTC
  std::string organisation;
  std::string legacy_source, bridge_source, noise_source;  // noise_source empty: no baseline
  std::string rules_file;
  std::vector<std::string> notes;  // from reading the sides
  bool unmask = false;             // CPR numbers in examples are masked unless set
};

nlohmann::json to_json(const RunResult& result, const RunInfo& info);

// One <testsuite> per operation: a test case "messages matched" and one per field that had a
// difference or has a threshold; a case fails when its threshold is exceeded.
std::string to_junit(const RunResult& result, const RunInfo& info);

// What a person reads after a run: per operation the pairs and unmatched messages, the fields
// that differ with their mapping row and one example, what was ignored or noise, the verdict.
std::string terminal_summary(const RunResult& result, const RunInfo& info);

}  // namespace bridge::compare
