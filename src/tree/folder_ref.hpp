#pragma once
// Internal: the spec folder a ref names, found among folder paths alone ("042-x",
// "archived/001-y"), as Snapshot::find() finds it among loaded specs (src/snapshot/snapshot.cpp):
// a folder path, else an id, else a number (leading zeros ignored), else a slug. So a one-shot
// read (the CLI's `show`) resolves a ref without reading any spec. Implemented in
// folder_ref.cpp. Thread-safe (a pure function).

#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// The folder of `folders` that `ref` names, or empty when none does.
/// @throws leanspec::Error invalid_argument for a ref leaving the specs directory, ambiguous
///         (naming every match, in snapshot order) when it names more than one folder
std::string find_folder(const std::vector<std::string> &folders, std::string_view ref);

} // namespace leanspec::detail
