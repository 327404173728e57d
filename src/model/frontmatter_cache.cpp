// Implements src/model/frontmatter_cache.hpp.
#include "model/frontmatter_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <leanspec/spec.hpp>
#include <random>
#include <unistd.h>
#include <vector>

namespace leanspec::detail {
namespace {

constexpr std::string_view magic = "LSFMC\x01\n"; // bump the digit when the layout changes
constexpr int max_depth = 80;

void put_u32(std::string &out, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
void put_str(std::string &out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
void put_value(std::string &out, const Value &v) {
  out += static_cast<char>(v.kind);
  out += static_cast<char>(v.quoted);
  put_u32(out, static_cast<std::uint32_t>(v.line));
  put_str(out, v.text);
  put_u32(out, static_cast<std::uint32_t>(v.items.size()));
  for (const auto &item : v.items)
    put_value(out, item);
  put_u32(out, static_cast<std::uint32_t>(v.fields.size()));
  for (const auto &[key, item] : v.fields) {
    put_str(out, key);
    put_value(out, item);
  }
}

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

class Input {
public:
  explicit Input(std::string_view bytes) : rest_(bytes) {}
  bool u32(std::uint32_t &v) {
    if (rest_.size() < 4)
      return false;
    std::memcpy(&v, rest_.data(), 4);
    rest_.remove_prefix(4);
    return true;
  }
  bool byte(unsigned char &v) {
    if (rest_.empty())
      return false;
    v = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }
  bool str(std::string &s) {
    std::uint32_t n = 0;
    if (!u32(n) || rest_.size() < n)
      return false;
    s.assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  // A count of elements that each take at least `min_size` bytes: bounded by what is left.
  bool count(std::uint32_t &n, std::size_t min_size) {
    return u32(n) && n <= rest_.size() / min_size;
  }
  bool value(Value &v, int depth) {
    unsigned char kind = 0, quoted = 0;
    std::uint32_t line = 0, n = 0;
    if (depth > max_depth || !byte(kind) ||
        kind > static_cast<unsigned char>(Value::Kind::mapping) || !byte(quoted) || !u32(line) ||
        !str(v.text))
      return false;
    v.kind = static_cast<Value::Kind>(kind);
    v.quoted = quoted != 0;
    v.line = static_cast<int>(line);
    if (!count(n, 18)) // the smallest value takes 18 bytes
      return false;
    v.items.resize(n);
    for (auto &item : v.items)
      if (!value(item, depth + 1))
        return false;
    if (!count(n, 22))
      return false;
    v.fields.resize(n);
    for (auto &[key, item] : v.fields)
      if (!str(key) || !value(item, depth + 1))
        return false;
    return true;
  }
  // Moves past one value without building it (to index a file without decoding it).
  bool skip_value(int depth) {
    unsigned char kind = 0, quoted = 0;
    std::uint32_t line = 0, n = 0;
    if (depth > max_depth || !byte(kind) ||
        kind > static_cast<unsigned char>(Value::Kind::mapping) || !byte(quoted) || !u32(line) ||
        !skip_str() || !count(n, 18))
      return false;
    for (std::uint32_t i = 0; i < n; ++i)
      if (!skip_value(depth + 1))
        return false;
    if (!count(n, 22))
      return false;
    for (std::uint32_t i = 0; i < n; ++i)
      if (!skip_str() || !skip_value(depth + 1))
        return false;
    return true;
  }
  bool skip_str() {
    std::uint32_t n = 0;
    if (!u32(n) || rest_.size() < n)
      return false;
    rest_.remove_prefix(n);
    return true;
  }
  // The problems and value of one entry (after its key).
  bool document(YamlDocument &doc) {
    std::uint32_t problems = 0;
    if (!count(problems, 13))
      return false;
    doc.problems.resize(problems);
    for (auto &p : doc.problems) {
      unsigned char severity = 0;
      std::uint32_t line = 0;
      if (!byte(severity) || severity > 1 || !u32(line) || !str(p.code) || !str(p.message))
        return false;
      p.severity = static_cast<Diagnostic::Severity>(severity);
      p.line = static_cast<int>(line);
    }
    return value(doc.root, 0);
  }
  bool skip_document() {
    std::uint32_t problems = 0;
    if (!count(problems, 13))
      return false;
    for (std::uint32_t i = 0; i < problems; ++i) {
      unsigned char severity = 0;
      std::uint32_t line = 0;
      if (!byte(severity) || !u32(line) || !skip_str() || !skip_str())
        return false;
    }
    return skip_value(0);
  }
  bool done() const { return rest_.empty(); }
  std::size_t left() const { return rest_.size(); }

private:
  std::string_view rest_;
};

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
    if (!in.str(key) || !in.document(*doc))
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
    if (!input.skip_document())
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
    if (input.document(*decoded)) // checked when indexed; cannot fail unless memory does
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
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    const std::filesystem::path temp = file_.string() + ".tmp." + std::to_string(::getpid()) + "." +
                                       std::to_string(std::random_device{}());
    bool written;
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      written = static_cast<bool>(out);
    }
    if (written)
      std::filesystem::rename(temp, file_, ec); // atomic: readers see the old file or the new one
    if (!written || ec)
      std::filesystem::remove(temp, ec);
  } catch (...) {
    // The cache only saves time; failing to write it changes no result.
  }
}

std::size_t FrontmatterCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

} // namespace leanspec::detail
