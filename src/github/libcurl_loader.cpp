// The libcurl functions the GitHub client calls (github_client.cpp, github_url.cpp), defined
// here and forwarding to libcurl.so.4, which is loaded on the first call (dlopen) instead of
// linked: linking it made every program that uses libleanspec load libcurl's ~35 libraries
// (TLS, Kerberos, LDAP, ICU, ...) at start, ~400 system calls and ~600 page faults for each CLI
// run that never talks to GitHub (issue 18; libpq is loaded the same way, src/db/postgres/).
// A call before libcurl can be loaded throws leanspec::Error network naming the library; the
// client's first call is curl_global_init(). Add a function here when the client calls a new
// one (the link fails until then).
#include <climits>
#include <cstdarg>
#include <curl/curl.h>
#include <dlfcn.h>
#include <leanspec/error.hpp>
#include <mutex>
#include <string>

namespace leanspec::detail {
namespace {

// clang-format off
#define LEANSPEC_CURL_FUNCTIONS(X) \
  X(curl_global_init) X(curl_easy_init) X(curl_easy_cleanup) X(curl_easy_reset) \
  X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_strerror) X(curl_free) X(curl_getdate) \
  X(curl_multi_init) X(curl_multi_cleanup) X(curl_multi_setopt) X(curl_multi_add_handle) \
  X(curl_multi_remove_handle) X(curl_multi_perform) X(curl_multi_poll) X(curl_multi_info_read) \
  X(curl_multi_strerror) X(curl_slist_append) X(curl_slist_free_all) X(curl_url) \
  X(curl_url_cleanup) X(curl_url_get) X(curl_url_set)
// clang-format on

struct LibCurl {
#define LEANSPEC_CURL_MEMBER(name) decltype(&::name) name = nullptr;
  LEANSPEC_CURL_FUNCTIONS(LEANSPEC_CURL_MEMBER)
#undef LEANSPEC_CURL_MEMBER
};

const LibCurl &libcurl() {
  static LibCurl functions;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    void *handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = ::dlerror();
      failure = std::string("cannot load libcurl.so.4 for GitHub (Debian: libcurl4): ") +
                (why ? why : "unknown error");
      return;
    }
#define LEANSPEC_CURL_LOAD(name)                                                                   \
  functions.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                    \
  if (!functions.name && failure.empty())                                                          \
    failure = "libcurl.so.4 has no " #name;
    LEANSPEC_CURL_FUNCTIONS(LEANSPEC_CURL_LOAD)
#undef LEANSPEC_CURL_LOAD
  });
  if (!failure.empty())
    throw Error(ErrorCode::network, failure);
  return functions;
}

// Calls `set(value)` with setopt's one variadic argument read as the type its option's number
// says it has (curl.h: CURLOPTTYPE_*; the multi options use the same ranges).
template <class Set> auto forward_option(int option, va_list args, Set set) {
  if (option < CURLOPTTYPE_OBJECTPOINT)
    return set(va_arg(args, long));
  if (option < CURLOPTTYPE_FUNCTIONPOINT || option >= CURLOPTTYPE_BLOB)
    return set(va_arg(args, void *));
  if (option < CURLOPTTYPE_OFF_T)
    return set(va_arg(args, void (*)()));
  return set(va_arg(args, curl_off_t));
}

} // namespace
} // namespace leanspec::detail

using leanspec::detail::libcurl;

extern "C" {

CURLcode curl_global_init(long flags) { return libcurl().curl_global_init(flags); }
CURL *curl_easy_init() { return libcurl().curl_easy_init(); }
void curl_easy_cleanup(CURL *curl) { libcurl().curl_easy_cleanup(curl); }
void curl_easy_reset(CURL *curl) { libcurl().curl_easy_reset(curl); }
const char *curl_easy_strerror(CURLcode code) { return libcurl().curl_easy_strerror(code); }
void curl_free(void *p) { libcurl().curl_free(p); }
time_t curl_getdate(const char *p, const time_t *unused) {
  return libcurl().curl_getdate(p, unused);
}

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...) {
  va_list args;
  va_start(args, option);
  const auto set = libcurl().curl_easy_setopt;
  const CURLcode result = leanspec::detail::forward_option(
      option, args, [&](auto value) { return set(curl, option, value); });
  va_end(args);
  return result;
}

CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...) {
  va_list args;
  va_start(args, info);
  void *out = va_arg(args, void *); // every CURLINFO takes a pointer
  va_end(args);
  return libcurl().curl_easy_getinfo(curl, info, out);
}

CURLM *curl_multi_init() { return libcurl().curl_multi_init(); }
CURLMcode curl_multi_cleanup(CURLM *multi) { return libcurl().curl_multi_cleanup(multi); }
CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
  va_list args;
  va_start(args, option);
  const auto set = libcurl().curl_multi_setopt;
  const CURLMcode result = leanspec::detail::forward_option(
      option, args, [&](auto value) { return set(multi, option, value); });
  va_end(args);
  return result;
}
CURLMcode curl_multi_add_handle(CURLM *multi, CURL *curl) {
  return libcurl().curl_multi_add_handle(multi, curl);
}
CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *curl) {
  return libcurl().curl_multi_remove_handle(multi, curl);
}
CURLMcode curl_multi_perform(CURLM *multi, int *running) {
  return libcurl().curl_multi_perform(multi, running);
}
CURLMcode curl_multi_poll(CURLM *multi, struct curl_waitfd extra[], unsigned int extra_count,
                          int timeout_ms, int *ret) {
  return libcurl().curl_multi_poll(multi, extra, extra_count, timeout_ms, ret);
}
CURLMsg *curl_multi_info_read(CURLM *multi, int *left) {
  return libcurl().curl_multi_info_read(multi, left);
}
const char *curl_multi_strerror(CURLMcode code) { return libcurl().curl_multi_strerror(code); }

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *text) {
  return libcurl().curl_slist_append(list, text);
}
void curl_slist_free_all(struct curl_slist *list) { libcurl().curl_slist_free_all(list); }

CURLU *curl_url() { return libcurl().curl_url(); }
void curl_url_cleanup(CURLU *url) { libcurl().curl_url_cleanup(url); }
CURLUcode curl_url_get(CURLU *url, CURLUPart part, char **out, unsigned int flags) {
  return libcurl().curl_url_get(url, part, out, flags);
}
CURLUcode curl_url_set(CURLU *url, CURLUPart part, const char *content, unsigned int flags) {
  return libcurl().curl_url_set(url, part, content, flags);
}

} // extern "C"
