// Implements src/tree/spec_names.hpp.
#include "tree/spec_names.hpp"

#include <algorithm>
#include <leanspec/spec.hpp>

namespace leanspec::detail {

std::string_view refused_because(std::string_view name) noexcept {
  if (name.empty())
    return "is empty";
  if (name == "." || name == "..")
    return "is '.' or '..'";
  if (name.starts_with('.'))
    return {};
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return "holds a control character";
  if (name.find('\\') != std::string_view::npos)
    return "holds a backslash";
  if (name.size() > 255)
    return "is longer than 255 bytes";
  return {};
}

NameUse name_use(std::string_view name) noexcept {
  if (!refused_because(name).empty())
    return NameUse::refused;
  return name.starts_with('.') ? NameUse::hidden : NameUse::accepted;
}

bool is_spec_folder_name(std::string_view name) noexcept {
  return name_use(name) == NameUse::accepted && !split_spec_id(name).first.empty();
}

bool is_spec_file_name(std::string_view name) noexcept {
  return name.size() > 3 && name.ends_with(".md") && name_use(name) == NameUse::accepted;
}

SpecPlace spec_place(std::string_view relative, bool folder) noexcept {
  std::string_view parts[4];
  std::size_t n = 0, begin = 0;
  for (; n < 4 && begin <= relative.size(); ++n) { // four parts: deeper than any spec file
    const std::size_t end = std::min(relative.find('/', begin), relative.size());
    parts[n] = relative.substr(begin, end - begin);
    begin = end + 1;
  }
  const auto prefix = [&](std::size_t k) { // parts[0..k] with their slashes
    return relative.substr(0, static_cast<std::size_t>(parts[k].data() - relative.data()) +
                                  parts[k].size());
  };
  const auto refused = [&](std::size_t k) {
    return SpecPlace{SpecPlace::Kind::refused, {}, {}, prefix(k), refused_because(parts[k])};
  };
  // parts[k] is a spec folder: the path is the folder, one of its files, or nothing.
  const auto in_folder = [&](std::size_t k) -> SpecPlace {
    if (n == k + 1)
      return folder ? SpecPlace{SpecPlace::Kind::folder, prefix(k), {}, {}, {}} : SpecPlace{};
    const std::string_view name = parts[k + 1];
    if (n != k + 2 || folder || name.size() < 4 || !name.ends_with(".md"))
      return {};
    switch (name_use(name)) {
    case NameUse::accepted:
      return {SpecPlace::Kind::file, prefix(k), name, {}, {}};
    case NameUse::refused:
      return refused(k + 1);
    case NameUse::hidden:
      break;
    }
    return {};
  };
  // "", "." and "..": no tree holds them (git refuses them too), so they are named wherever
  // they stand, not only where a spec file could lie.
  for (std::size_t at = 0; at <= relative.size();) {
    const std::size_t end = std::min(relative.find('/', at), relative.size());
    const std::string_view part = relative.substr(at, end - at);
    if (part.empty() || part == "." || part == "..")
      return {SpecPlace::Kind::refused, {}, {}, relative.substr(0, end), refused_because(part)};
    at = end + 1;
  }
  const bool is_folder = n > 1 || folder; // parts[0] names a folder
  switch (name_use(parts[0])) {
  case NameUse::hidden:
    return {};
  case NameUse::refused:
    return is_folder ? refused(0) : SpecPlace{};
  case NameUse::accepted:
    break;
  }
  if (is_spec_folder_name(parts[0]))
    return in_folder(0);
  if (n == 1) // a group, or a file beside the spec folders
    return {};
  switch (name_use(parts[1])) { // one group down
  case NameUse::hidden:
    return {};
  case NameUse::refused:
    return n > 2 || folder ? refused(1) : SpecPlace{};
  case NameUse::accepted:
    break;
  }
  return is_spec_folder_name(parts[1]) ? in_folder(1) : SpecPlace{};
}

std::string printable_path(std::string_view path) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (const char c : path.substr(0, 200)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return path.size() > 200 ? out + "..." : out;
}

} // namespace leanspec::detail
