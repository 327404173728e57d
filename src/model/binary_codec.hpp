#pragma once
// Internal: what the on-disk caches share (FrontmatterCache, SummaryCache): a little-endian
// binary encoding (u32 counts and lengths, length-prefixed strings, Value trees; Input reads it
// back and refuses anything truncated or out of bounds) and the atomic replacement of a cache
// file. Pure functions; thread-safe.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <leanspec/spec.hpp>
#include <random>
#include <string>
#include <string_view>
#include <unistd.h>

namespace leanspec::detail {

inline void put_u32(std::string &out, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
inline void put_u64(std::string &out, std::uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}
inline void put_str(std::string &out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
inline void put_value(std::string &out, const Value &v) {
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

/// Reads what the put_* functions wrote; every read returns false, and consumes nothing
/// useful, when the bytes are too few.
class Input {
public:
  static constexpr int max_depth = 80; ///< deeper Value trees are refused

  explicit Input(std::string_view bytes) : rest_(bytes) {}
  bool u32(std::uint32_t &v) {
    if (rest_.size() < 4)
      return false;
    std::memcpy(&v, rest_.data(), 4);
    rest_.remove_prefix(4);
    return true;
  }
  bool u64(std::uint64_t &v) {
    if (rest_.size() < 8)
      return false;
    std::memcpy(&v, rest_.data(), 8);
    rest_.remove_prefix(8);
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
  bool skip_str() {
    std::uint32_t n = 0;
    if (!u32(n) || rest_.size() < n)
      return false;
    rest_.remove_prefix(n);
    return true;
  }
  /// A count of elements that each take at least `min_size` bytes: bounded by what is left.
  bool count(std::uint32_t &n, std::size_t min_size) {
    return u32(n) && n <= rest_.size() / min_size;
  }
  bool value(Value &v, int depth = 0) {
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
  /// Moves past one value without building it (to index a file without decoding it).
  bool skip_value(int depth = 0) {
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
  /// Moves past `n` bytes.
  bool skip(std::size_t n) {
    if (rest_.size() < n)
      return false;
    rest_.remove_prefix(n);
    return true;
  }
  bool done() const { return rest_.empty(); }
  std::size_t left() const { return rest_.size(); }

private:
  std::string_view rest_;
};

/// Replaces `file` with `bytes` atomically (readers see the old file or the new one), creating
/// its folder; false, leaving the old file, when that fails. Never throws.
inline bool replace_file(const std::filesystem::path &file, std::string_view bytes) noexcept {
  try {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    const std::filesystem::path temp = file.string() + ".tmp." + std::to_string(::getpid()) + "." +
                                       std::to_string(std::random_device{}());
    bool written;
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      written = static_cast<bool>(out);
    }
    if (written)
      std::filesystem::rename(temp, file, ec);
    if (!written || ec)
      std::filesystem::remove(temp, ec);
    return written && !ec;
  } catch (...) {
    return false;
  }
}

} // namespace leanspec::detail
