#pragma once
// Internal: the folder of a new spec (src/model/new_spec.cpp), beside the public
// next_spec_folder() and new_spec_readme() of include/leanspec/spec_update.hpp.

#include <chrono>
#include <leanspec/spec_update.hpp>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// The spec's folder, relative to the specs folder: "<number>-<slug>" with the number padded
/// to `digits`, under today's "YYYYMMDD/" group when `date_grouped`.
/// @throws Error invalid_argument for an empty or multi-line title, or a title (or slug) with
///         no ASCII letter or digit to name the folder with
std::string new_spec_folder(const NewSpec &spec, int number, int digits, bool date_grouped,
                            std::chrono::system_clock::time_point now);

} // namespace leanspec::detail
