// Implements src/snapshot/sort_value.hpp: a spec's position under a sort key.
#include "snapshot/sort_value.hpp"

#include <cctype>
#include <climits>

namespace leanspec::detail {
namespace {

long long ms_or_min(const std::optional<Timestamp> &t) {
  return t ? static_cast<long long>(t->time_since_epoch().count()) : LLONG_MIN;
}

} // namespace

SortValue sort_value(const Spec &spec, Sort::Key key) {
  SortValue v;
  v.number = spec.number < 0 ? LLONG_MAX : spec.number;
  v.id = spec.id;
  switch (key) {
  case Sort::Key::number:
    v.primary = v.number;
    break;
  case Sort::Key::id:
    v.text = spec.id;
    break;
  case Sort::Key::title:
    v.text = spec.title;
    for (char &c : v.text)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    break;
  case Sort::Key::status:
    v.primary = static_cast<int>(spec.status);
    break;
  case Sort::Key::priority:
    v.primary = spec.priority ? static_cast<int>(*spec.priority) : -1;
    break;
  case Sort::Key::created:
    v.primary = ms_or_min(spec.created_time());
    break;
  case Sort::Key::updated:
    v.primary = ms_or_min(spec.updated_time());
    break;
  }
  return v;
}

} // namespace leanspec::detail
