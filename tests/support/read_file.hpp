#pragma once
// read_file(): a file's bytes, as they are (an empty string when it cannot be read).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace leanspec::test {

inline std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace leanspec::test
