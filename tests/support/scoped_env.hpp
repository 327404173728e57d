#pragma once
// ScopedEnv: environment variables a test changes, restored when it ends.

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leanspec::test {

class ScopedEnv {
public:
  /// Saves the variables `names` and unsets them.
  explicit ScopedEnv(std::initializer_list<const char *> names);
  /// Gives every saved variable its saved value back (unset where it had none).
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

  void set(const char *name, const std::string &value) const;
  void unset(const char *name) const;

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

} // namespace leanspec::test
