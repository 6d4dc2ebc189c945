// `wsrm-bridge mappings check | doc`: the mapping tables checked against the XSD, with the
// coverage per operation; or written out as Markdown for docs/.

#include "bridge/app/commands.h"
#include "bridge/mapping/mapping.h"

#include <cstdio>
#include <fstream>

namespace bridge::app {
namespace {

struct MappingsOptions {
  std::string mappings_dir = "mappings";
  std::string wsdl_dir = "wsdl";
  std::string out;  // doc: output file ("-" = stdout)
  bool quiet = false;
};

std::string xsd_dir(const MappingsOptions& o) { return o.wsdl_dir + "/xsd"; }

int run_check(const MappingsOptions& o) {
  mapping::CheckReport report;
  const auto set = mapping::MappingSet::load(o.mappings_dir, xsd_dir(o), report);
  std::printf("%-36s %6s %7s %8s %11s %4s\n", "operation", "leaves", "mapped", "default",
              "not mapped", "gap");
  for (const auto& op : set->operations()) {
    const auto& info = *set->info(op);
    int counts[4] = {0, 0, 0, 0};
    for (const auto& c : info.coverage) ++counts[static_cast<int>(c.coverage)];
    std::printf("%-36s %6zu %7d %8d %11d %4d\n", op.c_str(), info.coverage.size(), counts[0],
                counts[1], counts[2], counts[3]);
  }
  std::printf("code lists: %zu\n", set->codelists().size());
  if (!o.quiet) {
    for (const auto& w : report.warnings) std::printf("warning: %s\n", w.c_str());
  }
  for (const auto& e : report.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  if (!report.ok()) {
    std::fprintf(stderr, "wsrm-bridge mappings check: %zu error(s) in %s\n", report.errors.size(),
                 o.mappings_dir.c_str());
    return kExitFindings;
  }
  std::printf("ok: %zu table(s) match the XSD in %s\n", set->operations().size(),
              xsd_dir(o).c_str());
  return kExitOk;
}

int run_doc(const MappingsOptions& o) {
  mapping::CheckReport report;
  const auto set = mapping::MappingSet::load(o.mappings_dir, xsd_dir(o), report);
  if (!report.ok()) {
    for (const auto& e : report.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
    std::fprintf(stderr,
                 "wsrm-bridge mappings doc: fix the tables first (`wsrm-bridge mappings check`)\n");
    return kExitFindings;
  }
  const std::string markdown = mapping::render_markdown(*set);
  if (o.out == "-") {
    std::fwrite(markdown.data(), 1, markdown.size(), stdout);
    return kExitOk;
  }
  std::ofstream file(o.out, std::ios::binary | std::ios::trunc);
  file << markdown;
  if (!file.flush()) {
    std::fprintf(stderr, "wsrm-bridge mappings doc: %s: cannot write the file\n", o.out.c_str());
    return kExitUsage;
  }
  std::printf("wrote %s (%zu operations)\n", o.out.c_str(), set->operations().size());
  return kExitOk;
}

}  // namespace

Runner add_mappings_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "mappings", "Check the mapping tables against the XSD, or write them as Markdown");
  cmd->require_subcommand(1);
  auto options = std::make_shared<MappingsOptions>();
  auto common = [&](CLI::App* sub) {
    sub->add_option("--mappings", options->mappings_dir,
                    "Mappings directory: one table per operation, codelists/, routing/")
        ->capture_default_str();
    sub->add_option("--wsdl", options->wsdl_dir,
                    "Contract directory; its xsd/ folder holds the schemas the tables must fit")
        ->capture_default_str();
  };
  auto* check = cmd->add_subcommand(
      "check",
      "Load every table and code list, check them against the XSD (unknown element paths, schema "
      "order, types, required elements without a row) and print the coverage per operation. "
      "Exit 1 when there are errors.");
  common(check);
  check->add_flag("--quiet", options->quiet, "Do not list the warnings (gaps)");
  auto* doc = cmd->add_subcommand("doc", "Write the tables, coverage and code lists as Markdown");
  common(doc);
  options->out = "docs/mapping-tables.md";
  doc->add_option("--out", options->out, "Output file, or - for standard output")
      ->capture_default_str();
  return [options, check, doc]() {
    if (check->parsed()) return run_check(*options);
    if (doc->parsed()) return run_doc(*options);
    return kExitUsage;
  };
}

}  // namespace bridge::app
