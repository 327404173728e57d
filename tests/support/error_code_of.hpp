#pragma once
// error_code_of(): the ErrorCode of the leanspec::Error a call throws; a failed check when it
// throws none. For CHECK(error_code_of([&] { ... }) == ErrorCode::conflict).

#include <doctest/doctest.h>
#include <functional>
#include <leanspec/error.hpp>

namespace leanspec::test {

inline ErrorCode error_code_of(const std::function<void()> &call) {
  try {
    call();
  } catch (const Error &e) {
    return e.code();
  }
  FAIL("no leanspec::Error thrown");
  return ErrorCode::internal;
}

} // namespace leanspec::test
