// Implements src/tree/folder_ref.hpp.
#include "tree/folder_ref.hpp"

#include "model/relative_ref.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <tuple>

namespace leanspec::detail {
namespace {

// What a folder path says about its spec, as parse_spec_files() derives it.
struct FolderName {
  std::string_view path, id, slug;
  int number = -1;

  explicit FolderName(std::string_view folder) : path(folder) {
    id = folder.substr(folder.rfind('/') + 1); // npos + 1 == 0
    const auto [number_text, rest] = split_spec_id(id);
    slug = number_text.empty() ? id : rest;
    if (!number_text.empty() && number_text.size() < 9) // digits only: from_chars cannot fail
      std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
  }
  // Snapshot order: number (none last), id, path.
  bool operator<(const FolderName &other) const {
    const long long a = number < 0 ? LLONG_MAX : number,
                    b = other.number < 0 ? LLONG_MAX : other.number;
    return std::tie(a, id, path) < std::tie(b, other.id, other.path);
  }
};

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string find_folder(const std::vector<std::string> &folders, std::string_view ref) {
  check_relative_ref(ref, "spec ref");
  const std::string_view as_given = ref; // the error names it as given
  while (!ref.empty() && ref.back() == '/')
    ref.remove_suffix(1);
  if (ref.empty())
    return {};
  std::vector<FolderName> names;
  names.reserve(folders.size());
  for (const auto &folder : folders)
    names.emplace_back(folder);

  std::vector<FolderName> found;
  const auto keep = [&](auto &&predicate) {
    for (const auto &name : names)
      if (predicate(name))
        found.push_back(name);
  };
  if (ref.find('/') != std::string_view::npos) {
    keep([&](const FolderName &n) { return n.path == ref; });
  } else {
    keep([&](const FolderName &n) { return n.id == ref; });
    if (found.empty() && all_digits(ref)) {
      const std::string_view digits =
          ref.substr(std::min(ref.find_first_not_of('0'), ref.size() - 1));
      if (digits.size() <= 9) {
        const int number = std::stoi(std::string(digits));
        keep([&](const FolderName &n) { return n.number >= 0 && n.number == number; });
      }
    } else if (found.empty()) {
      keep([&](const FolderName &n) { return n.slug == ref; });
    }
  }
  if (found.empty())
    return {};
  std::sort(found.begin(), found.end());
  if (found.size() > 1) {
    std::string paths;
    for (const auto &name : found)
      paths += (paths.empty() ? "" : ", ") + std::string(name.path);
    throw Error(ErrorCode::ambiguous, "spec ref '" + std::string(as_given) + "' matches " +
                                          std::to_string(found.size()) + " specs: " + paths);
  }
  return std::string(found.front().path);
}

} // namespace leanspec::detail
