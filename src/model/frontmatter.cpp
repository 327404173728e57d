// Implements src/model/frontmatter.hpp: frontmatter split and UTF-8 hygiene.
#include "model/frontmatter.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <simdjson.h>

namespace leanspec::detail {
namespace {

bool is_blank(std::string_view line) noexcept {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string_view trim_right(std::string_view line) noexcept {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  return line;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80)
    return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (i + n > s.size())
    return 0;
  if (b(i + 1) < lo || b(i + 1) > hi)
    return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF)
      return 0;
  return n;
}

} // namespace

FrontmatterSplit split_frontmatter(std::string_view text) noexcept {
  FrontmatterSplit out;
  out.body = text;
  std::size_t pos = 0;
  int line = 1;
  // Skip blank lines; the first other line must be the opening delimiter.
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view current = text.substr(pos, end - pos);
    if (is_blank(current)) {
      pos = end + 1;
      ++line;
      continue;
    }
    if (trim_right(current) != "---")
      return out;
    out.found = true;
    pos = end + 1;
    ++line;
    break;
  }
  if (!out.found)
    return out;
  const std::size_t yaml_start = std::min(pos, text.size());
  const int yaml_line = line;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view current = trim_right(text.substr(pos, end - pos));
    if (current == "---" || current == "...") {
      out.closed = true;
      out.yaml = text.substr(yaml_start, pos - yaml_start);
      out.yaml_line = yaml_line;
      out.body = end < text.size() ? text.substr(end + 1) : std::string_view{};
      out.body_line = line + 1;
      return out;
    }
    pos = end + 1;
    ++line;
  }
  out.yaml_line = yaml_line;
  return out;
}

std::size_t find_invalid_utf8(std::string_view text) noexcept {
  // simdjson validates 64 bytes per step; only invalid text is walked again to find the offset.
  if (simdjson::validate_utf8(text.data(), text.size()))
    return std::string_view::npos;
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0)
      return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string normalize_text(std::string_view raw) {
  if (raw.substr(0, 3) == "\xEF\xBB\xBF")
    raw.remove_prefix(3);
  if (raw.find('\r') == std::string_view::npos)
    return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      out += '\n';
      if (i + 1 < raw.size() && raw[i + 1] == '\n')
        ++i;
    } else {
      out += raw[i];
    }
  }
  return out;
}

int line_of(std::string_view text, std::size_t offset) noexcept {
  offset = std::min(offset, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

} // namespace leanspec::detail
