// Implements libpq() of src/db/postgres/libpq.hpp: loads libpq.so.5 on first use.
#include "db/postgres/libpq.hpp"

#include <dlfcn.h>
#include <leanspec/error.hpp>
#include <mutex>
#include <string>

namespace leanspec::detail {

const LibPq &libpq() {
  static LibPq functions;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    void *handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = ::dlerror();
      failure = std::string("cannot load libpq.so.5 for PostgreSQL (Debian: libpq5): ") +
                (why ? why : "unknown error");
      return;
    }
#define LEANSPEC_LIBPQ_LOAD(name)                                                                  \
  functions.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                    \
  if (!functions.name && failure.empty())                                                          \
    failure = "libpq.so.5 has no " #name;
    LEANSPEC_LIBPQ_FUNCTIONS(LEANSPEC_LIBPQ_LOAD)
#undef LEANSPEC_LIBPQ_LOAD
  });
  if (!failure.empty())
    throw Error(ErrorCode::database, failure);
  return functions;
}

} // namespace leanspec::detail
