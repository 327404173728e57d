// Implements the health words of include/leanspec/specs_service.hpp: to_string(SourceKind),
// to_string(SourceState).
#include <leanspec/specs_service.hpp>

namespace leanspec {

std::string_view to_string(SourceKind kind) noexcept {
  return kind == SourceKind::database ? "database" : "filesystem";
}

std::string_view to_string(SourceState state) noexcept {
  switch (state) {
  case SourceState::ok:
    return "ok";
  case SourceState::stale:
    return "stale";
  case SourceState::down:
    return "down";
  }
  return "ok";
}

} // namespace leanspec
