#pragma once
// Internal: the UTF-8 decoding that fuzzy matching counts edits in (code points, not bytes).
// Implemented in edit_distance.cpp; used by the evaluator's fuzzy terms (evaluator.cpp).

#include <cstddef>
#include <string>
#include <string_view>

namespace leanspec::detail {

// Code points of `text`; a byte that starts no valid sequence stands for itself.
void decode_utf8(std::string_view text, std::u32string &out);

// The bytes of `text`'s first `count` code points as decode_utf8() reads them, or npos when
// one of them is a byte that starts no valid sequence (it decodes by what follows, so the bytes
// alone do not determine it).
std::size_t utf8_prefix_bytes(std::string_view text, std::size_t count) noexcept;

} // namespace leanspec::detail
