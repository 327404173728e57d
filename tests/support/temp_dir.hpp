#pragma once
// TempDir: a fresh temporary folder, removed with everything in it on destruction.

#include <filesystem>

namespace leanspec::test {

class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::filesystem::path &path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

} // namespace leanspec::test
