#pragma once
// Internal: which names a specs tree is made of, the one rule both modes apply (a tree on disk,
// read by src/tree/specs_tree.cpp, and the GitHub sync, src/github/ through spec_file_of() in
// webhook.cpp), so a tree lists the same specs from a folder on disk and from a repository.
// A spec folder is `NNN-slug` at the top of the specs directory or one group folder down
// (`archived/`, a date group such as `20251031/`, any other folder); its files are its `*.md`.
// Thread-safe (pure functions).

#include <optional>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// What a specs tree makes of one folder or file name.
enum class NameUse {
  accepted, ///< may be a group, a spec folder or a spec file
  hidden,   ///< starts with '.' (".git", ".DS_Store"): passed over without a word
  refused,  ///< no specs tree holds it (see refused_because): passed over with a diagnostic
};

/// accepted, hidden, or refused for: "", "." and "..", a control byte (newline, ESC, ...), a
/// backslash (a separator elsewhere), or more than 255 bytes (no filesystem holds it).
NameUse name_use(std::string_view name) noexcept;
/// Why name_use() refuses `name` ("holds a control character", ...); empty when it does not.
std::string_view refused_because(std::string_view name) noexcept;
/// An accepted name of the form `NNN-slug`.
bool is_spec_folder_name(std::string_view name) noexcept;
/// An accepted `*.md` name with something before the extension.
bool is_spec_file_name(std::string_view name) noexcept;

/// Where a path relative to the specs directory stands in a specs tree, read component by
/// component as the loader walks it: a spec folder, a spec file, something else, or the first
/// refused name on the way to a group, spec folder or spec file, or an "", "." or ".." name
/// anywhere (`folder` says whether the path names a folder).
struct SpecPlace {
  enum class Kind { other, folder, file, refused } kind = Kind::other;
  std::string_view folder;  ///< folder, file: "042-x", "archived/001-y"
  std::string_view name;    ///< file: "README.md"
  std::string_view refused; ///< refused: the path up to and with the refused name
  std::string_view reason;  ///< refused: refused_because() of that name
};
SpecPlace spec_place(std::string_view relative, bool folder) noexcept;

/// A name or path for a message: control bytes as \xNN, at most 200 bytes.
std::string printable_path(std::string_view path);

} // namespace leanspec::detail
