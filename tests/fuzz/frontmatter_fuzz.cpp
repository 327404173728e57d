// libFuzzer target: arbitrary bytes as a spec's README.md (and as a sub-spec file).
// Properties: parse_spec() never throws or crashes, whatever the bytes (defects are
// diagnostics, STYLE.md §4); to_json() of the result is valid JSON in valid UTF-8.
// Seeds: corpus/frontmatter. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <leanspec/json.hpp>
#include <leanspec/spec.hpp>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace {

void check_json(const std::string &json, std::string_view what) {
  if (auto at = leanspec::fuzz::invalid_utf8_offset(json); at != std::string_view::npos)
    leanspec::fuzz::fail(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(at), json);
  simdjson::dom::parser parser;
  if (auto error = parser.parse(json).error())
    leanspec::fuzz::fail(std::string(what) + ": not JSON: " + simdjson::error_message(error), json);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);

  // No try/catch: an exception escaping parse_spec() terminates, and libFuzzer reports it.
  const leanspec::Spec spec = leanspec::parse_spec("001-fuzz", bytes, {});
  check_json(leanspec::to_json(spec), "to_json(spec)");
  check_json(leanspec::to_json(spec, leanspec::JsonDetail::summary), "to_json(spec, summary)");
  check_json(leanspec::to_json(spec.diagnostics), "to_json(diagnostics)");

  // The same bytes as a sub-spec of a folder without README.md.
  const leanspec::Spec sub =
      leanspec::parse_spec("archived/002-fuzz", std::nullopt, {{"DESIGN.md", bytes}});
  check_json(leanspec::to_json(sub), "to_json(sub-spec)");
  return 0;
}
