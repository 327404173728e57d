// Implements to_string(ErrorCode) of include/leanspec/error.hpp.
#include <leanspec/error.hpp>

namespace leanspec {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::invalid_argument:
    return "invalid_argument";
  case ErrorCode::not_found:
    return "not_found";
  case ErrorCode::ambiguous:
    return "ambiguous";
  case ErrorCode::config:
    return "config";
  case ErrorCode::io:
    return "io";
  case ErrorCode::database:
    return "database";
  case ErrorCode::network:
    return "network";
  case ErrorCode::rate_limited:
    return "rate_limited";
  case ErrorCode::unauthorized:
    return "unauthorized";
  case ErrorCode::conflict:
    return "conflict";
  case ErrorCode::internal:
    return "internal";
  }
  return "internal";
}

} // namespace leanspec
