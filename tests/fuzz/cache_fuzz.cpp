// libFuzzer target: arbitrary bytes as a frontmatter cache file (src/model/frontmatter_cache).
// Properties: deserialize() never crashes, throws or over-allocates on damaged input; whatever it
// accepts serializes back to a file it reads again to the same bytes (a round trip).
// Seeds: corpus/cache. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "fuzz_check.hpp"
#include "model/frontmatter_cache.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  using Entries =
      std::unordered_map<std::string, std::shared_ptr<const leanspec::detail::YamlDocument>>;
  const std::string_view bytes(reinterpret_cast<const char *>(data), size);
  Entries entries;
  if (!leanspec::detail::FrontmatterCache::deserialize(bytes, entries)) {
    if (!entries.empty())
      leanspec::fuzz::fail("a refused file still added entries", std::string(bytes));
    return 0;
  }
  const std::string again = leanspec::detail::FrontmatterCache::serialize(entries);
  Entries reread;
  if (!leanspec::detail::FrontmatterCache::deserialize(again, reread) ||
      reread.size() != entries.size() ||
      leanspec::detail::FrontmatterCache::serialize(reread) != again)
    leanspec::fuzz::fail("serialize/deserialize round trip differs", std::string(bytes));
  return 0;
}
