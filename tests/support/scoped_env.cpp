// ScopedEnv (support/scoped_env.hpp).
#include "support/scoped_env.hpp"

#include <cstdlib>

namespace leanspec::test {

ScopedEnv::ScopedEnv(std::initializer_list<const char *> names) {
  for (const char *name : names) {
    const char *value = std::getenv(name);
    saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
    ::unsetenv(name);
  }
}

ScopedEnv::~ScopedEnv() {
  for (const auto &[name, value] : saved_) {
    if (value)
      ::setenv(name.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name.c_str());
  }
}

void ScopedEnv::set(const char *name, const std::string &value) const {
  ::setenv(name, value.c_str(), 1);
}

void ScopedEnv::unset(const char *name) const { ::unsetenv(name); }

} // namespace leanspec::test
