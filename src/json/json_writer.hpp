#pragma once
// Internal: JsonWriter, a small append-only writer of compact JSON (UTF-8 in, escaped out).
// Every to_json() goes through it, and every front-end prints to_json(), so output is
// byte-identical.
// Single-thread.

#include "model/frontmatter.hpp"

#include <charconv>
#include <cmath>
#include <leanspec/spec.hpp>
#include <string>
#include <string_view>

namespace leanspec::detail {

class JsonWriter {
public:
  std::string &out() noexcept { return out_; }

  JsonWriter &begin_object() { return open('{'); }
  JsonWriter &end_object() { return close('}'); }
  JsonWriter &begin_array() { return open('['); }
  JsonWriter &end_array() { return close(']'); }

  JsonWriter &key(std::string_view name) {
    separate();
    string_literal(name);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter &value(std::string_view s) {
    separate();
    string_literal(s);
    return *this;
  }
  JsonWriter &value(const char *s) { return value(std::string_view(s)); }
  JsonWriter &value(const std::string &s) { return value(std::string_view(s)); }
  JsonWriter &value(bool b) {
    separate();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter &value(long long n) {
    separate();
    out_ += std::to_string(n);
    return *this;
  }
  JsonWriter &value(int n) { return value(static_cast<long long>(n)); }
  JsonWriter &value(std::size_t n) {
    separate();
    out_ += std::to_string(n);
    return *this;
  }
  /// Shortest round-trip form; NaN and infinities become null.
  JsonWriter &value(double d) {
    separate();
    if (!std::isfinite(d)) {
      out_ += "null";
      return *this;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
    out_.append(buffer, result.ptr);
    return *this;
  }
  JsonWriter &null() {
    separate();
    out_ += "null";
    return *this;
  }
  /// A string, or null when empty.
  JsonWriter &string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }
  /// Appends already-serialized JSON as one value.
  JsonWriter &raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
  }
  template <class Range> JsonWriter &strings(const Range &items) {
    begin_array();
    for (const auto &item : items)
      value(std::string_view(item));
    return end_array();
  }

private:
  JsonWriter &open(char c) {
    separate();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter &close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void separate() {
    if (after_key_)
      after_key_ = false;
    else if (!first_)
      out_ += ',';
    first_ = false;
  }
  void string_literal(std::string_view s) {
    if (find_invalid_utf8(s) != std::string_view::npos) { // e.g. a folder name from disk
      const std::string clean = sanitize_utf8(s);
      return string_literal(clean);
    }
    static constexpr char hex[] = "0123456789abcdef";
    out_ += '"';
    std::size_t run = 0; // start of the pending run of bytes that need no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto u = static_cast<unsigned char>(s[i]);
      if (u >= 0x20 && u != '"' && u != '\\')
        continue;
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (u) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      default:
        out_ += "\\u00";
        out_ += hex[u >> 4];
        out_ += hex[u & 15];
      }
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

/// The JSON text of one value written by `write(w, value)`.
template <class T, class Write> std::string json_of(const T &value, Write write) {
  JsonWriter w;
  write(w, value);
  return std::move(w.out());
}

/// A JSON array of `write(w, item)` for each item, in order.
template <class Range, class Write> std::string json_array_of(const Range &items, Write write) {
  JsonWriter w;
  w.begin_array();
  for (const auto &item : items)
    write(w, item);
  w.end_array();
  return std::move(w.out());
}

/// A frontmatter Value as JSON: scalars as strings (their text, as written), null, arrays and
/// objects in file order.
inline void write_value(JsonWriter &w, const Value &v) {
  switch (v.kind) {
  case Value::Kind::null:
    w.null();
    break;
  case Value::Kind::scalar:
    w.value(v.text);
    break;
  case Value::Kind::sequence:
    w.begin_array();
    for (const auto &item : v.items)
      write_value(w, item);
    w.end_array();
    break;
  case Value::Kind::mapping:
    w.begin_object();
    for (const auto &field : v.fields) {
      w.key(field.key);
      write_value(w, field.value);
    }
    w.end_object();
    break;
  }
}

} // namespace leanspec::detail
