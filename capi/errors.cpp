// Implements the status and error section of capi/leanspec.h (leanspec_last_error(),
// leanspec_status_name()) and the thread-local message guard() (guard.hpp) writes.
#include "guard.hpp"

#include <string>

using namespace leanspec;
using namespace leanspec::capi;

static_assert(static_cast<int>(ErrorCode::internal) == 10,
              "ErrorCode changed: map the new code in to_status() and leanspec.h");
static_assert(to_status(ErrorCode::invalid_argument) == -2 &&
              to_status(ErrorCode::not_found) == -3 && to_status(ErrorCode::ambiguous) == -4 &&
              to_status(ErrorCode::config) == -5 && to_status(ErrorCode::io) == -6 &&
              to_status(ErrorCode::database) == -7 && to_status(ErrorCode::network) == -8 &&
              to_status(ErrorCode::rate_limited) == -9 &&
              to_status(ErrorCode::unauthorized) == -10 && LEANSPEC_ENOMEM == -11 &&
              to_status(ErrorCode::conflict) == -12);

namespace {
thread_local std::string last_error;
} // namespace

namespace leanspec::capi {

leanspec_status fail(leanspec_status status, const char *message) noexcept {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear(); // no memory for the message: the status still says what happened
  }
  return status;
}

void clear_last_error() noexcept { last_error.clear(); }

} // namespace leanspec::capi

extern "C" {

const char *leanspec_last_error(void) noexcept { return last_error.c_str(); }

const char *leanspec_status_name(leanspec_status status) noexcept {
  switch (status) {
  case LEANSPEC_OK:
    return "ok";
  case LEANSPEC_ERROR:
    return "internal";
  case LEANSPEC_ENOMEM:
    return "out_of_memory";
  default:
    break;
  }
  for (int code = 0; code <= static_cast<int>(ErrorCode::internal); ++code)
    if (to_status(static_cast<ErrorCode>(code)) == status)
      return to_string(static_cast<ErrorCode>(code)).data(); // static NUL-terminated names
  return "unknown";
}

} // extern "C"
