#pragma once
// Internal: writing the varints and postings that SearchIndex (search_index.hpp) reads, for the
// builder (search_index_builder.cpp). Header-only: these run once per posting.

#include "query/search_index.hpp"

#include <cstddef>
#include <cstdint>

namespace leanspec::detail {

constexpr std::size_t max_varint = 5; // bytes of a 32-bit varint

inline std::size_t varint_size(std::uint32_t v) noexcept {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7)
    ++n;
  return n;
}

inline std::uint8_t *put_varint(std::uint8_t *out, std::uint32_t v) noexcept {
  for (; v >= 0x80; v >>= 7)
    *out++ = static_cast<std::uint8_t>(v | 0x80);
  *out++ = static_cast<std::uint8_t>(v);
  return out;
}

// A posting's field byte (fields | body_tf << 4) and its two codings (see SearchIndex): short,
// where the commonest field byte is left out, and full. `delta` must be below 2^31. The forward
// stream codes (term id delta, field byte) pairs the short way.
constexpr std::uint8_t plain_field_byte = SearchIndex::in_body | 1u << 4;

inline std::size_t short_posting_size(std::uint32_t delta, std::uint8_t field_byte) noexcept {
  return field_byte == plain_field_byte ? varint_size(delta << 1) : varint_size(delta << 1 | 1) + 1;
}

inline std::uint8_t *put_short_posting(std::uint8_t *out, std::uint32_t delta,
                                       std::uint8_t field_byte) noexcept {
  if (field_byte == plain_field_byte)
    return put_varint(out, delta << 1);
  out = put_varint(out, delta << 1 | 1);
  *out++ = field_byte;
  return out;
}

inline std::size_t full_posting_size(std::uint32_t delta) noexcept {
  return varint_size(delta) + 1;
}

inline std::uint8_t *put_full_posting(std::uint8_t *out, std::uint32_t delta,
                                      std::uint8_t field_byte) noexcept {
  out = put_varint(out, delta);
  *out++ = field_byte;
  return out;
}

} // namespace leanspec::detail
