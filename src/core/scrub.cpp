// Implements src/core/scrub.hpp.
#include "core/scrub.hpp"

#include <algorithm>
#include <utility>

namespace leanspec::detail {

std::string scrub(std::string message, const std::vector<std::string> &secrets) {
  // Every place a secret stands in the message as given, merged where they overlap, then each
  // replaced once: replacing one secret first could cut into another that overlaps it and
  // leave the rest of that one ("able&password=%" inside "disable&password=%01...").
  std::vector<std::pair<std::size_t, std::size_t>> found;
  for (const auto &secret : secrets)
    if (!secret.empty())
      for (std::size_t p = message.find(secret); p != std::string::npos;
           p = message.find(secret, p + 1))
        found.emplace_back(p, p + secret.size());
  if (found.empty())
    return message;
  std::sort(found.begin(), found.end());
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < found.size();) {
    const std::size_t begin = found[i].first;
    std::size_t end = found[i].second;
    for (++i; i < found.size() && found[i].first <= end; ++i)
      end = std::max(end, found[i].second);
    out.append(message, copied, begin - copied).append("***");
    copied = end;
  }
  return out.append(message, copied);
}

} // namespace leanspec::detail
