// The mapping coverage matrix of the report, from the mapping check (MappingSet::load).

#include "bridge/mapping/mapping.h"
#include "bridge/report/report.h"

#include <cctype>

namespace bridge::report {

std::string mapping_anchor(const std::string& operation, const std::string& row_id) {
  // The same rule as `wsrm-bridge mappings doc` (bridge/mapping/markdown.cpp), so the links
  // land on the rows of docs/mapping-tables.md.
  std::string out = operation + "-" + row_id;
  for (auto& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      c = '-';
    } else {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Coverage coverage_from(const mapping::MappingSet& set, const mapping::CheckReport& check) {
  Coverage out;
  out.loaded = true;
  out.errors = check.errors;
  for (const auto& op : set.operations()) {
    const mapping::OperationInfo* info = set.info(op);
    if (info == nullptr) continue;
    CoverageOperation summary;
    summary.operation = op;
    summary.table = info->file;
    summary.anchor = mapping_anchor(op, "table");
    for (const auto& leaf : info->coverage) {
      CoverageLeaf l;
      l.operation = op;
      l.path = leaf.path;
      l.xsd_type = leaf.xsd_type;
      l.required = leaf.required;
      l.anchor = summary.anchor;
      ++summary.leaves;
      switch (leaf.coverage) {
        case mapping::Coverage::mapped:
          l.coverage = "mapped";
          ++summary.mapped;
          break;
        case mapping::Coverage::defaulted:
          l.coverage = "default";
          ++summary.defaulted;
          break;
        case mapping::Coverage::not_mapped:
          l.coverage = "not_mapped";
          ++summary.not_mapped;
          break;
        case mapping::Coverage::gap:
          l.coverage = "gap";
          ++summary.gap;
          break;
      }
      if (leaf.row != nullptr) {
        l.row = leaf.row->reference();
        l.anchor = mapping_anchor(op, leaf.row->id);
      }
      if (leaf.reason != nullptr) l.reason = leaf.reason->reason;
      out.leaves.push_back(std::move(l));
    }
    out.operations.push_back(std::move(summary));
  }
  return out;
}

}  // namespace bridge::report
