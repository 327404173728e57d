// Implements the cache control of include/leanspec/specs_service.hpp: invalidate(),
// revalidate() (the secret compared as SHA-256 digests in constant time) and cache_stats().
#include "service/specs_service_impl.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace leanspec::detail {

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size())
    throw Error(ErrorCode::internal, "SHA-256 failed (OpenSSL)");
  return digest;
}

} // namespace leanspec::detail

namespace leanspec {

void SpecsService::invalidate() noexcept {
  for (Route *route : {&impl_->fs, &impl_->db})
    if (const auto cache = impl_->any_cache(*route))
      cache->invalidate();
  impl_->forget_projects();
}

void SpecsService::invalidate(std::string_view ref, std::string_view project_id) noexcept {
  try {
    std::string project;
    Route &route = impl_->route_for(project_id, project);
    const auto cache = impl_->any_cache(route);
    if (!cache)
      return;
    // The cache keeps get() results by spec id: find the id a number or slug stands for.
    std::string id(ref);
    if (impl_->healthy_cache(route)) {
      try {
        if (const auto spec = cache->get(ref, project))
          id = spec->id;
      } catch (const Error &) {
      }
    }
    cache->invalidate(id, project);
    if (id != ref)
      cache->invalidate(ref, project);
    const std::lock_guard lock(route.mutex);
    if (const auto it = route.fallbacks.find(project); it != route.fallbacks.end())
      it->second.dirty = true;
  } catch (...) {
    invalidate();
  }
}

bool SpecsService::revalidate(std::string_view presented_secret,
                              std::optional<std::string_view> ref,
                              std::string_view project_id) noexcept {
  try {
    if (!impl_->revalidation_digest)
      return false;
    const Digest presented = sha256(presented_secret);
    const bool equal =
        CRYPTO_memcmp(presented.data(), impl_->revalidation_digest->data(), presented.size()) == 0;
    if (!equal || presented_secret.empty())
      return false;
    if (ref)
      invalidate(*ref, project_id);
    else
      invalidate();
    return true;
  } catch (...) {
    return false;
  }
}

CacheStats SpecsService::cache_stats() const {
  CacheStats out;
  for (Route *route : {&impl_->fs, &impl_->db}) {
    const auto cache = impl_->any_cache(*route);
    if (!cache)
      continue;
    SourceCacheStats stats{route->kind, cache->counters(), 0};
    const auto calls = stats.counters.hits + stats.counters.misses;
    stats.hit_rate = calls ? static_cast<double>(stats.counters.hits) / calls : 0;
    out.total.hits += stats.counters.hits;
    out.total.misses += stats.counters.misses;
    out.total.entries += stats.counters.entries;
    out.sources.push_back(stats);
  }
  const auto calls = out.total.hits + out.total.misses;
  out.hit_rate = calls ? static_cast<double>(out.total.hits) / calls : 0;
  return out;
}

} // namespace leanspec
