// Implements parse_timestamp() and the Spec time accessors of include/leanspec/spec.hpp.
#include <cctype>
#include <leanspec/spec.hpp>

namespace leanspec {
namespace {

// Reads exactly `n` digits at `pos`; -1 when they are not there.
int digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  if (pos + n > s.size())
    return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])))
      return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

} // namespace

std::optional<Timestamp> parse_timestamp(std::string_view s) noexcept {
  using namespace std::chrono;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  const int y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-')
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return std::nullopt;
  Timestamp t = time_point_cast<milliseconds>(sys_days{ymd});
  std::size_t pos = 10;
  if (pos == s.size())
    return t;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')
    return std::nullopt;
  const int hh = digits(s, pos + 1, 2), mm = digits(s, pos + 4, 2);
  if (hh < 0 || mm < 0 || s[pos + 3] != ':' || hh > 23 || mm > 59)
    return std::nullopt;
  t += hours{hh} + minutes{mm};
  pos += 6;
  if (pos < s.size() && s[pos] == ':') {
    const int ss = digits(s, pos + 1, 2);
    if (ss < 0 || ss > 60)
      return std::nullopt;
    t += seconds{ss};
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int ms = 0, scale = 100;
      const std::size_t start = pos;
      for (; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos) {
        ms += (s[pos] - '0') * scale;
        scale /= 10;
      }
      if (pos == start)
        return std::nullopt;
      t += milliseconds{ms};
    }
  }
  if (pos == s.size())
    return t;
  if (s[pos] == 'Z' || s[pos] == 'z')
    return pos + 1 == s.size() ? std::optional<Timestamp>(t) : std::nullopt;
  if (s[pos] == '+' || s[pos] == '-') {
    const int oh = digits(s, pos + 1, 2);
    int om = 0;
    std::size_t end = pos + 3;
    if (end < s.size() && s[end] == ':') {
      om = digits(s, end + 1, 2);
      end += 3;
    } else if (end < s.size()) {
      om = digits(s, end, 2);
      end += 2;
    }
    if (oh < 0 || om < 0 || end != s.size())
      return std::nullopt;
    const auto offset = hours{oh} + minutes{om};
    return s[pos] == '+' ? t - offset : t + offset;
  }
  return std::nullopt;
}

namespace {
std::optional<Timestamp> first_time(std::string_view a, std::string_view b) noexcept {
  if (auto t = parse_timestamp(a))
    return t;
  return parse_timestamp(b);
}
} // namespace

std::optional<Timestamp> Spec::created_time() const noexcept {
  return first_time(created_at, created);
}
std::optional<Timestamp> Spec::updated_time() const noexcept { return parse_timestamp(updated_at); }
std::optional<Timestamp> Spec::completed_time() const noexcept {
  return first_time(completed_at, completed);
}

bool Spec::has_errors() const noexcept {
  for (const auto &d : diagnostics)
    if (d.severity == Diagnostic::Severity::error)
      return true;
  return false;
}

const Value *Value::find(std::string_view key) const noexcept {
  for (const auto &[name, value] : fields)
    if (name == key)
      return &value;
  return nullptr;
}

} // namespace leanspec
