#pragma once
// Internal to capi/: reading a versioned options struct of leanspec.h by its rule (libgit2's):
// every version from 1 up to the header's is accepted; the library reads the fields the
// caller's version has and gives the others their _INIT value.

#include "convert.hpp"
#include "leanspec.h"

#include <cstddef>
#include <cstring>
#include <iterator>
#include <string>

namespace leanspec::capi {

/// What the library knows of an options struct: its name, its _INIT value, and the size of
/// each version (versions[v - 1]: the offset of the first field version v + 1 appended).
template <class Options> struct OptionsLayout;

template <> struct OptionsLayout<leanspec_fs_options> {
  static constexpr const char *name = "leanspec_fs_options";
  static constexpr leanspec_fs_options defaults = LEANSPEC_FS_OPTIONS_INIT;
  static constexpr std::size_t versions[] = {offsetof(leanspec_fs_options, summaries_only),
                                             sizeof(leanspec_fs_options)};
};
static_assert(std::size(OptionsLayout<leanspec_fs_options>::versions) ==
              LEANSPEC_FS_OPTIONS_VERSION);

template <> struct OptionsLayout<leanspec_db_options> {
  static constexpr const char *name = "leanspec_db_options";
  static constexpr leanspec_db_options defaults = LEANSPEC_DB_OPTIONS_INIT;
  static constexpr std::size_t versions[] = {offsetof(leanspec_db_options, create_if_missing),
                                             sizeof(leanspec_db_options)};
};
static_assert(std::size(OptionsLayout<leanspec_db_options>::versions) ==
              LEANSPEC_DB_OPTIONS_VERSION);

template <> struct OptionsLayout<leanspec_cache_options> {
  static constexpr const char *name = "leanspec_cache_options";
  static constexpr leanspec_cache_options defaults = LEANSPEC_CACHE_OPTIONS_INIT;
  static constexpr std::size_t versions[] = {sizeof(leanspec_cache_options)};
};
static_assert(std::size(OptionsLayout<leanspec_cache_options>::versions) ==
              LEANSPEC_CACHE_OPTIONS_VERSION);

/// `*opts` as this library's struct: the fields of the caller's version copied, the later ones
/// at their defaults; NULL `opts` is the defaults when `nullable`.
/// @throws Error invalid_argument for a NULL `opts` (unless `nullable`), version 0 or one above
///         this library's (the message names the struct)
template <class Options> Options read_options(const Options *opts, bool nullable) {
  using Layout = OptionsLayout<Options>;
  constexpr unsigned known = std::size(Layout::versions);
  Options read = Layout::defaults;
  if (opts == nullptr && nullable)
    return read;
  const unsigned version = require(opts, "opts")->version;
  if (version == 0 || version > known)
    throw Error(ErrorCode::invalid_argument,
                std::string("opts->version is ") + std::to_string(version) +
                    ": this library reads " + Layout::name + " versions 1 to " +
                    std::to_string(known) +
                    " (initialize it with its _INIT macro; a newer header needs a newer library)");
  // A caller of version v passed a struct that ends where version v + 1's fields begin.
  std::memcpy(&read, opts, Layout::versions[version - 1]);
  return read;
}

} // namespace leanspec::capi
