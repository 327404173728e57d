#pragma once
// Internal: FrontmatterCache, parsed frontmatter kept by the SHA-1 of its text, so a reload or a
// new process does not run the YAML parser again on text it has seen (yaml-cpp costs ~0.3 M
// instructions per spec; see docs/BENCHMARKS.md). Persisted to one file, replaced atomically;
// a missing, foreign or damaged file is ignored. Entries are in memory only during a load:
// read from the file on the first parse(), written and dropped by commit(). Thread-safe.

#include "model/yaml.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace leanspec::detail {

class FrontmatterCache {
public:
  /// `file` empty: memory only, kept across loads. Nothing is read yet.
  explicit FrontmatterCache(std::filesystem::path file = {});

  /// The parsed form of `yaml`: from the cache, or parsed now and remembered.
  std::shared_ptr<const YamlDocument> parse(std::string_view yaml);

  /// Ends a load: forgets entries no parse() asked for since the last commit, and rewrites the
  /// file when its content would change; with a file, then drops every entry from memory.
  /// Never throws; a failed write leaves the old file.
  void commit() noexcept;

  std::size_t size() const;

  /// The serialized form of the entries (exposed for tests and the fuzzer).
  static std::string
  serialize(const std::unordered_map<std::string, std::shared_ptr<const YamlDocument>> &entries);
  /// Reads serialize()'s output; false (and nothing added) when it is not exactly that.
  static bool
  deserialize(std::string_view bytes,
              std::unordered_map<std::string, std::shared_ptr<const YamlDocument>> &entries);

private:
  struct Entry {
    std::shared_ptr<const YamlDocument> document; ///< null until decoded from bytes_
    std::size_t offset = 0, size = 0;             ///< where it is encoded in bytes_
    bool used = false;
  };
  std::filesystem::path file_;
  mutable std::mutex mutex_;
  void read_file(); // with mutex_ held
  std::unordered_map<std::string, Entry> entries_;
  std::shared_ptr<const std::string> bytes_; // the file's bytes, while entries point into them
  bool read_ = false;                        // entries_ holds the file's entries
  bool changed_ = false;
};

} // namespace leanspec::detail
