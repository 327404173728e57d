// Implements src/model/relative_ref.hpp.
#include "model/relative_ref.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <string>

namespace leanspec::detail {

void check_relative_ref(std::string_view ref, std::string_view what) {
  const auto refuse = [&](std::string_view why) {
    throw Error(ErrorCode::invalid_argument,
                std::string(what) + " '" + std::string(ref) + "' " + std::string(why));
  };
  if (ref.find('\0') != std::string_view::npos)
    refuse("contains a NUL byte");
  if (ref.starts_with('/') || ref.find('\\') != std::string_view::npos ||
      (ref.size() > 1 && ref[1] == ':'))
    refuse("is an absolute path; refs must stay inside the specs directory");
  std::size_t pos = 0;
  while (pos <= ref.size()) {
    const std::size_t end = std::min(ref.find('/', pos), ref.size());
    if (ref.substr(pos, end - pos) == "..")
      refuse("leaves the specs directory");
    pos = end + 1;
  }
}

} // namespace leanspec::detail
