// Implements src/service/set_cursor.hpp. The text before base64url: "set1 L\n" then per part
// "<key length>:<key>D" (done) or "<key length>:<key>C<cursor length>:<cursor>"; or
// "set1 S <offset>".
#include "service/set_cursor.hpp"

#include "core/base64url.hpp"

#include <charconv>
#include <leanspec/error.hpp>

namespace leanspec::detail {
namespace {

void append(std::string &out, std::string_view part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

// Reads "<length>:<bytes>" at the front of `in`; nullopt when malformed.
std::optional<std::string_view> take(std::string_view &in) {
  std::size_t size = 0;
  const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), size);
  if (ec != std::errc() || end == in.data() + in.size() || *end != ':')
    return std::nullopt;
  in.remove_prefix(static_cast<std::size_t>(end - in.data()) + 1);
  if (size > in.size())
    return std::nullopt;
  const std::string_view out = in.substr(0, size);
  in.remove_prefix(size);
  return out;
}

} // namespace

std::string encode_set_cursor(const SetCursor &cursor) {
  if (cursor.kind == SetCursor::Kind::search)
    return base64url("set1 S " + std::to_string(cursor.offset));
  std::string text = "set1 L\n";
  for (const auto &[key, next] : cursor.parts) {
    append(text, key);
    if (next) {
      text += 'C';
      append(text, *next);
    } else {
      text += 'D';
    }
  }
  return base64url(text);
}

SetCursor decode_set_cursor(std::string_view text, SetCursor::Kind kind) {
  SetCursor cursor;
  cursor.kind = kind;
  if (text.empty())
    return cursor;
  const auto bad = [&] {
    return Error(ErrorCode::invalid_argument,
                 "cursor '" + std::string(text.substr(0, 64)) + "' is not a cursor of a " +
                     (kind == SetCursor::Kind::list ? "list" : "search") + " over a project set");
  };
  const auto raw = unbase64url(text);
  if (!raw)
    throw bad();
  std::string_view in(*raw);
  if (kind == SetCursor::Kind::search) {
    constexpr std::string_view head = "set1 S ";
    if (!in.starts_with(head))
      throw bad();
    in.remove_prefix(head.size());
    const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), cursor.offset);
    if (ec != std::errc() || end != in.data() + in.size())
      throw bad();
    return cursor;
  }
  constexpr std::string_view head = "set1 L\n";
  if (!in.starts_with(head))
    throw bad();
  in.remove_prefix(head.size());
  while (!in.empty()) {
    const auto key = take(in);
    if (!key || in.empty())
      throw bad();
    const char state = in.front();
    in.remove_prefix(1);
    if (state == 'D') {
      cursor.parts.insert_or_assign(std::string(*key), std::nullopt);
    } else if (const auto next = state == 'C' ? take(in) : std::nullopt) {
      cursor.parts.insert_or_assign(std::string(*key), std::string(*next));
    } else {
      throw bad();
    }
  }
  return cursor;
}

} // namespace leanspec::detail
