// The libarchive functions the GitHub sync calls to read repository tarballs
// (fetch_tarball.cpp), defined here and forwarding to libarchive.so.13, which is loaded on the
// first call (dlopen) instead of linked: linking it made every program that uses libleanspec
// load it and its compression and XML libraries at start, for each CLI run that never reads a
// tarball (issue 18; libcurl_loader.cpp does the same for libcurl). A call before libarchive
// can be loaded throws leanspec::Error network naming the library. Add a function here when
// the sync calls a new one (the link fails until then).
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <leanspec/error.hpp>
#include <mutex>
#include <string>

namespace leanspec::detail {
namespace {

// clang-format off
#define LEANSPEC_ARCHIVE_FUNCTIONS(X) \
  X(archive_read_new) X(archive_read_free) X(archive_read_support_filter_gzip) \
  X(archive_read_support_format_tar) X(archive_read_open_memory) X(archive_read_next_header) \
  X(archive_read_data) X(archive_filter_bytes) X(archive_error_string) \
  X(archive_entry_filetype) X(archive_entry_hardlink) X(archive_entry_pathname) \
  X(archive_entry_pathname_utf8) X(archive_entry_size) X(archive_entry_size_is_set) \
  X(archive_entry_symlink)
// clang-format on

struct LibArchive {
#define LEANSPEC_ARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
  LEANSPEC_ARCHIVE_FUNCTIONS(LEANSPEC_ARCHIVE_MEMBER)
#undef LEANSPEC_ARCHIVE_MEMBER
};

const LibArchive &libarchive() {
  static LibArchive functions;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    void *handle = ::dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = ::dlerror();
      failure = std::string("cannot load libarchive.so.13 to read GitHub tarballs (Debian: "
                            "libarchive13): ") +
                (why ? why : "unknown error");
      return;
    }
#define LEANSPEC_ARCHIVE_LOAD(name)                                                                \
  functions.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                    \
  if (!functions.name && failure.empty())                                                          \
    failure = "libarchive.so.13 has no " #name;
    LEANSPEC_ARCHIVE_FUNCTIONS(LEANSPEC_ARCHIVE_LOAD)
#undef LEANSPEC_ARCHIVE_LOAD
  });
  if (!failure.empty())
    throw Error(ErrorCode::network, failure);
  return functions;
}

} // namespace
} // namespace leanspec::detail

using leanspec::detail::libarchive;

extern "C" {

struct archive *archive_read_new() {
  return libarchive().archive_read_new();
}
int archive_read_free(struct archive *a) { return libarchive().archive_read_free(a); }
int archive_read_support_filter_gzip(struct archive *a) {
  return libarchive().archive_read_support_filter_gzip(a);
}
int archive_read_support_format_tar(struct archive *a) {
  return libarchive().archive_read_support_format_tar(a);
}
int archive_read_open_memory(struct archive *a, const void *buffer, size_t size) {
  return libarchive().archive_read_open_memory(a, buffer, size);
}
int archive_read_next_header(struct archive *a, struct archive_entry **entry) {
  return libarchive().archive_read_next_header(a, entry);
}
la_ssize_t archive_read_data(struct archive *a, void *buffer, size_t size) {
  return libarchive().archive_read_data(a, buffer, size);
}
la_int64_t archive_filter_bytes(struct archive *a, int filter) {
  return libarchive().archive_filter_bytes(a, filter);
}
const char *archive_error_string(struct archive *a) { return libarchive().archive_error_string(a); }

__LA_MODE_T archive_entry_filetype(struct archive_entry *e) {
  return libarchive().archive_entry_filetype(e);
}
const char *archive_entry_hardlink(struct archive_entry *e) {
  return libarchive().archive_entry_hardlink(e);
}
const char *archive_entry_pathname(struct archive_entry *e) {
  return libarchive().archive_entry_pathname(e);
}
const char *archive_entry_pathname_utf8(struct archive_entry *e) {
  return libarchive().archive_entry_pathname_utf8(e);
}
la_int64_t archive_entry_size(struct archive_entry *e) {
  return libarchive().archive_entry_size(e);
}
int archive_entry_size_is_set(struct archive_entry *e) {
  return libarchive().archive_entry_size_is_set(e);
}
const char *archive_entry_symlink(struct archive_entry *e) {
  return libarchive().archive_entry_symlink(e);
}

} // extern "C"
