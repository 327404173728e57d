// Implements src/core/base64url.hpp: base64url without padding.
#include "core/base64url.hpp"

#include <algorithm>

namespace leanspec::detail {
namespace {

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

} // namespace

std::string base64url(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      out += b64[(bits >> (count - 6)) & 63];
      count -= 6;
    }
  }
  if (count > 0)
    out += b64[(bits << (6 - count)) & 63];
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const char *p = std::find(b64, b64 + 64, c);
    if (p == b64 + 64)
      return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(p - b64);
    count += 6;
    if (count >= 8) {
      out += static_cast<char>((bits >> (count - 8)) & 255);
      count -= 8;
    }
  }
  return out;
}

} // namespace leanspec::detail
