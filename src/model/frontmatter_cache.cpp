// Implements src/model/frontmatter_cache.hpp.
#include "model/frontmatter_cache.hpp"

#include "model/binary_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <leanspec/spec.hpp>
#include <vector>

namespace leanspec::detail {
namespace {

// Bump the digit when the layout or what parse_yaml() makes of a text changes (2: a document
// past the value cap is refused whole).
constexpr std::string_view magic = "LSFMC\x02\n";

void put_document(std::string &out, const YamlDocument &doc) {
  put_u32(out, static_cast<std::uint32_t>(doc.problems.size()));
  for (const auto &p : doc.problems) {
    out += static_cast<char>(p.severity);
    put_u32(out, static_cast<std::uint32_t>(p.line));
    put_str(out, p.code);
    put_str(out, p.message);
  }
  put_value(out, doc.root);
}

// The problems and value of one entry (after its key).
bool read_document(Input &in, YamlDocument &doc) {
  std::uint32_t problems = 0;
  if (!in.count(problems, 13))
    return false;
  doc.problems.resize(problems);
  for (auto &p : doc.problems) {
    unsigned char severity = 0;
    std::uint32_t line = 0;
    if (!in.byte(severity) || severity > 1 || !in.u32(line) || !in.str(p.code) ||
        !in.str(p.message))
      return false;
    p.severity = static_cast<Diagnostic::Severity>(severity);
    p.line = static_cast<int>(line);
  }
  return in.value(doc.root, 0);
}
bool skip_document(Input &in) {
  std::uint32_t problems = 0;
  if (!in.count(problems, 13))
    return false;
  for (std::uint32_t i = 0; i < problems; ++i) {
    unsigned char severity = 0;
    std::uint32_t line = 0;
    if (!in.byte(severity) || !in.u32(line) || !in.skip_str() || !in.skip_str())
      return false;
  }
  return in.skip_value(0);
}

} // namespace

std::string FrontmatterCache::serialize(
    const std::unordered_map<std::string, std::shared_ptr<const YamlDocument>> &entries) {
  std::string out(magic);
  put_u32(out, static_cast<std::uint32_t>(entries.size()));
  std::vector<const std::string *> keys; // sorted: the same entries always give the same bytes
  keys.reserve(entries.size());
  for (const auto &entry : entries)
    keys.push_back(&entry.first);
  std::sort(keys.begin(), keys.end(), [](const auto *a, const auto *b) { return *a < *b; });
  for (const std::string *key_ptr : keys) {
    const std::string &key = *key_ptr;
    const auto &doc = entries.at(key);
    put_str(out, key);
    put_document(out, *doc);
  }
  return out;
}

bool FrontmatterCache::deserialize(
    std::string_view bytes,
    std::unordered_map<std::string, std::shared_ptr<const YamlDocument>> &entries) {
  if (!bytes.starts_with(magic))
    return false;
  Input in(bytes.substr(magic.size()));
  std::uint32_t n = 0;
  if (!in.count(n, 26))
    return false;
  std::unordered_map<std::string, std::shared_ptr<const YamlDocument>> read;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string key;
    auto doc = std::make_shared<YamlDocument>();
    if (!in.str(key) || !read_document(in, *doc))
      return false;
    read.emplace(std::move(key), std::move(doc));
  }
  if (!in.done())
    return false;
  entries.merge(read);
  return true;
}

FrontmatterCache::FrontmatterCache(std::filesystem::path file) : file_(std::move(file)) {}

void FrontmatterCache::read_file() {
  read_ = true;
  if (file_.empty())
    return;
  std::ifstream in(file_, std::ios::binary | std::ios::ate);
  if (!in)
    return;
  std::string bytes(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())) ||
      !std::string_view(bytes).starts_with(magic))
    return;
  // Only an index is built here: each entry is decoded when a parse() asks for it, on the
  // loader's threads, and a tree nobody asks for never takes memory.
  Input input(std::string_view(bytes).substr(magic.size()));
  std::uint32_t n = 0;
  if (!input.count(n, 26))
    return;
  std::unordered_map<std::string, Entry> index;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string key;
    if (!input.str(key))
      return;
    const std::size_t offset = bytes.size() - input.left();
    if (!skip_document(input))
      return; // damaged: start empty, the next commit replaces it
    index.emplace(std::move(key),
                  Entry{nullptr, offset, bytes.size() - input.left() - offset, false});
  }
  if (!input.done())
    return;
  entries_ = std::move(index);
  bytes_ = std::make_shared<const std::string>(std::move(bytes));
}

std::shared_ptr<const YamlDocument> FrontmatterCache::parse(std::string_view yaml) {
  std::string key = git_blob_sha1(yaml);
  std::shared_ptr<const std::string> bytes;
  std::size_t offset = 0;
  {
    const std::lock_guard lock(mutex_);
    if (!read_)
      read_file();
    if (auto it = entries_.find(key); it != entries_.end()) {
      it->second.used = true;
      if (it->second.document)
        return it->second.document;
      bytes = bytes_;
      offset = it->second.offset;
    }
  }
  if (bytes) { // decoded outside the lock (the file's bytes are immutable) and not kept: the
               // entry stays encoded, so the cache costs no second tree per spec
    auto decoded = std::make_shared<YamlDocument>();
    Input input(std::string_view(*bytes).substr(offset));
    if (read_document(input, *decoded)) // checked when indexed; cannot fail unless memory does
      return decoded;
  }
  auto doc = std::make_shared<const YamlDocument>(parse_yaml(yaml));
  const std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(std::move(key), Entry{doc, 0, 0, true});
  it->second.used = true;
  changed_ = changed_ || inserted;
  return it->second.document ? it->second.document : doc;
}

void FrontmatterCache::commit() noexcept {
  try {
    std::string bytes;
    {
      const std::lock_guard lock(mutex_);
      std::vector<std::pair<const std::string *, const Entry *>> keep;
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.used) {
          it->second.used = false;
          keep.emplace_back(&it->first, &it->second);
          ++it;
        } else {
          it = entries_.erase(it);
          changed_ = true;
        }
      }
      if (changed_ && !file_.empty()) {
        // As serialize() writes them; entries still encoded are copied as they are.
        std::sort(keep.begin(), keep.end(), [](auto a, auto b) { return *a.first < *b.first; });
        bytes = magic;
        put_u32(bytes, static_cast<std::uint32_t>(keep.size()));
        for (const auto &[key, entry] : keep) {
          put_str(bytes, *key);
          if (entry->document)
            put_document(bytes, *entry->document);
          else
            bytes.append(*bytes_, entry->offset, entry->size);
        }
      }
      if (!file_.empty()) { // the file keeps them until the next load
        entries_.clear();
        bytes_.reset();
        read_ = false;
      }
      if (!changed_ || file_.empty())
        return;
      changed_ = false;
    }
    replace_file(file_, bytes); // a failed write leaves the old file
  } catch (...) {
    // The cache only saves time; failing to write it changes no result.
  }
}

std::size_t FrontmatterCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

} // namespace leanspec::detail
