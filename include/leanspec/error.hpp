#pragma once
// Error and ErrorCode: the one failure type of the C++ API.
// Failures throw leanspec::Error; absence (get() finding nothing) and spec-file defects
// (Diagnostic) are values, never exceptions. Immutable. Implemented in src/core/error.cpp.

#include <stdexcept>
#include <string>
#include <string_view>

namespace leanspec {

/// What kind of failure an Error reports. Each code maps 1:1 to a C status, a Python
/// exception class and a JS `err.code` (the text returned by to_string()).
enum class ErrorCode {
  invalid_argument, ///< a bad argument, option or query; the message names it
  not_found,        ///< a container is missing: the specs directory, a project, a database
  ambiguous,        ///< a ref matches several specs; the message lists them
  config,           ///< a bad configuration value; the message names the key and file
  io,               ///< the file system failed; the message names the path
  database,
  network,
  rate_limited,
  unauthorized,
  conflict, ///< a write based on a version that moved on; nothing was written
  internal,
};

/// The stable lower-case name of a code ("invalid_argument", "not_found", ...).
std::string_view to_string(ErrorCode code) noexcept;

/// The exception every public call throws. Its message names the file, field or argument;
/// it never contains a secret.
class Error : public std::runtime_error {
public:
  Error(ErrorCode code, const std::string &message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

private:
  ErrorCode code_;
};

} // namespace leanspec
