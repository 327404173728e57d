#pragma once
// Internal to capi/: guard(), the one place where C++ exceptions become a leanspec_status and
// the thread-local message of leanspec_last_error(), and the out-parameter resets every
// function starts with. Every C function is `return guard([&] { ... });` around a few lines of
// conversion (convert.hpp). The message store is in errors.cpp.

#include "convert.hpp"
#include "leanspec.h"

#include <leanspec/error.hpp>
#include <new>

namespace leanspec::capi {

/// One C status per ErrorCode; errors.cpp's static_asserts fail when either side changes alone.
constexpr leanspec_status to_status(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::invalid_argument:
    return LEANSPEC_EINVALID;
  case ErrorCode::not_found:
    return LEANSPEC_ENOTFOUND;
  case ErrorCode::ambiguous:
    return LEANSPEC_EAMBIGUOUS;
  case ErrorCode::config:
    return LEANSPEC_ECONFIG;
  case ErrorCode::io:
    return LEANSPEC_EIO;
  case ErrorCode::database:
    return LEANSPEC_EDATABASE;
  case ErrorCode::network:
    return LEANSPEC_ENETWORK;
  case ErrorCode::rate_limited:
    return LEANSPEC_ERATELIMITED;
  case ErrorCode::unauthorized:
    return LEANSPEC_EUNAUTHORIZED;
  case ErrorCode::conflict:
    return LEANSPEC_ECONFLICT;
  case ErrorCode::internal:
    return LEANSPEC_ERROR;
  }
  return LEANSPEC_ERROR;
}

/// Sets this thread's leanspec_last_error() to `message` and returns `status`.
leanspec_status fail(leanspec_status status, const char *message) noexcept;
/// Sets this thread's leanspec_last_error() to "".
void clear_last_error() noexcept;

/// Runs `body`: LEANSPEC_OK and no message when it returns, else the status and message of
/// what it threw. Nothing escapes.
template <class F> leanspec_status guard(F &&body) noexcept {
  try {
    body();
    clear_last_error();
    return LEANSPEC_OK;
  } catch (const Error &e) {
    return fail(to_status(e.code()), e.what());
  } catch (const std::bad_alloc &) {
    return fail(LEANSPEC_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    return fail(LEANSPEC_ERROR, e.what());
  } catch (...) {
    return fail(LEANSPEC_ERROR, "unknown error");
  }
}

/// Resets an out-parameter first, so that it is {NULL, 0} or NULL whatever happens next.
inline void reset(leanspec_string *out) { *require(out, "out") = {nullptr, 0}; }
template <class T> void reset(T **out) { *require(out, "out") = nullptr; }

} // namespace leanspec::capi
