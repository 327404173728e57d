#pragma once
// Internal: a spec's search vector as the PostgreSQL store writes it (tsvector's binary format).

#include "db/spec_rows.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace leanspec::detail::postgres {

// A spec's search vector in tsvector's binary format (tsvectorrecv): each distinct term once,
// with one position per field it occurs in, weighted A (title), B (tags, id) or D (body), so
// ts_rank weighs fields as the filesystem search does. Terms are the store's own tokens (no
// text search configuration: search() builds its tsquery from the same tokens). Body terms stop
// at 256 KiB, as a tsvector may not exceed 1 MB; terms longer than a lexeme may be are skipped.
inline std::string tsvector_binary(const SpecRow &row) {
  constexpr std::size_t max_lexeme = 2047, max_body_bytes = 256 * 1024;
  constexpr std::uint16_t max_position = 16383;
  struct Occurrence {
    std::string_view lexeme;
    std::uint16_t position; // weight in the top two bits
  };
  std::vector<Occurrence> occurrences;
  occurrences.reserve(row.title_terms.size() + row.key_terms.size() + row.body_terms.size());
  std::uint16_t position = 0;
  std::size_t body_bytes = 0;
  const auto add = [&](const std::vector<std::string> &terms, std::uint16_t weight, bool body) {
    for (const std::string &term : terms) { // distinct within a field
      if (term.size() > max_lexeme || find_invalid_utf8(term) != std::string_view::npos)
        continue;
      if (body && (body_bytes += term.size()) > max_body_bytes)
        return;
      if (position < max_position)
        ++position;
      occurrences.push_back({term, static_cast<std::uint16_t>(weight << 14 | position)});
    }
  };
  add(row.title_terms, 3, false);
  add(row.key_terms, 2, false);
  add(row.body_terms, 0, true);
  // The server's order (bytewise, a prefix first), which tsvectorrecv then need not sort; a
  // term's positions ascending, the first field's kept where positions ran out.
  std::stable_sort(occurrences.begin(), occurrences.end(),
                   [](const Occurrence &a, const Occurrence &b) {
                     if (const int c = a.lexeme.compare(b.lexeme); c != 0)
                       return c < 0;
                     return (a.position & 0x3fff) < (b.position & 0x3fff);
                   });

  std::string out(4, '\0');
  out.reserve(4 + 5 * occurrences.size() + body_bytes + 1024);
  const auto put16 = [&](std::uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
  };
  std::uint32_t lexemes = 0;
  for (std::size_t i = 0; i < occurrences.size();) {
    std::size_t end = i + 1;
    while (end < occurrences.size() && occurrences[end].lexeme == occurrences[i].lexeme)
      ++end;
    out += occurrences[i].lexeme;
    out += '\0';
    const std::size_t count_at = out.size();
    put16(0);
    std::uint16_t count = 0, last = 0;
    for (std::size_t j = i; j < end; ++j)
      if (const std::uint16_t p = occurrences[j].position; count == 0 || (p & 0x3fff) > last) {
        put16(p);
        last = p & 0x3fff;
        ++count;
      }
    out[count_at] = static_cast<char>(count >> 8);
    out[count_at + 1] = static_cast<char>(count & 0xff);
    ++lexemes;
    i = end;
  }
  BinaryArray::put32(out.data(), lexemes);
  return out;
}

} // namespace leanspec::detail::postgres
