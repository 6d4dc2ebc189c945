#pragma once
// Temporary directories and small file helpers of the unit_shadow tests.

#include "tests/unit/support/temp_dir.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace bridge::shadow::test {

// The project's temporary directory (tests/unit/support/temp_dir.h).
using TempDir = bridge::test::TempDir;

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace bridge::shadow::test
