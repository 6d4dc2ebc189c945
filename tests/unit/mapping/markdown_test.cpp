// Tests bridge/mapping/markdown.cpp: the generated documentation names every operation, every row
// and every code list of the real tables.
#include "bridge/mapping/mapping.h"
#include "tests/unit/mapping/fixtures.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using bridge::mapping::render_markdown;
using bridge::test::TempDir;
using namespace bridge::mapping::test;

}  // namespace

BOOST_AUTO_TEST_SUITE(markdown)

BOOST_AUTO_TEST_CASE(mentions_every_operation_row_and_code_list) {
  const auto set = load_real();
  const std::string md = render_markdown(*set);
  BOOST_TEST(md.starts_with("# Mapping tables\n"));
  for (const auto& op : set->operations()) {
    BOOST_TEST_CONTEXT(op) {
      const auto& info = *set->info(op);
      BOOST_TEST(md.find("## <a id=\"") != std::string::npos);
      BOOST_TEST(md.find("</a>" + op + "\n") != std::string::npos, "no section for " << op);
      BOOST_TEST(md.find("`mappings/" + info.file + "`") != std::string::npos);
      BOOST_TEST(!info.rows.empty());
      for (const auto* row : info.rows) {
        // Rows are cited as file#id, the name reports use.
        BOOST_TEST(md.find("`" + row->reference() + "`") != std::string::npos,
                   "row " << row->reference() << " is not in the Markdown");
      }
      for (const auto& leaf : info.coverage) {
        BOOST_TEST(md.find("| `" + leaf.path + "` |") != std::string::npos, leaf.path);
      }
    }
  }
  for (const auto& [name, list] : set->codelists()) {
    BOOST_TEST(md.find("### " + name + "\n") != std::string::npos, "code list " << name);
  }
}

BOOST_AUTO_TEST_CASE(table_cells_escape_pipes_and_line_breaks) {
  TempDir dir;
  const std::string mappings = dir.file("mappings");
  copy_tree(real_mappings_dir(), mappings);
  const std::string table = mappings + "/GetIndkaldelseshaendelseVersion1.toml";
  write_file(table,
             replace_all(read_file(table),
                         "note = \"Passed through; unknown values are counted (domain.md §3.6)\"",
                         "note = \"first | second\\nthird\""));
  const auto set = load_ok(mappings, real_xsd_dir());
  const std::string md = render_markdown(*set);
  BOOST_TEST(md.find("first \\| second third") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
