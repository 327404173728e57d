#pragma once
// CachingSource: a decorator that keeps the results of any SpecSource for a time to live.
// Concurrent misses on one key cause one call to the inner source (single flight); the host
// can invalidate everything or one spec and read hit/miss counters. The inner source's change
// events invalidate what they concern at once, before the cache's own subscribers hear of
// them, so a watched FilesystemSource is never served stale for a TTL. Thread-safe.
// Implemented in src/cache/.

#include <chrono>
#include <cstdint>
#include <functional>
#include <leanspec/spec_source.hpp>
#include <memory>

namespace leanspec {

/// The time a CachingSource sees. Tests inject their own to move time without sleeping.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct CacheOptions {
  std::chrono::milliseconds ttl{60'000}; ///< how long a result is served; 0 disables caching
  Clock clock;                           ///< empty: std::chrono::steady_clock::now
};

/// CacheOptions from the environment: `CACHE_TTL_MS` in milliseconds (default 60000; its
/// deprecated name `CACHE_TTL` is read, for one release, when it is unset).
/// @throws leanspec::Error config when the value is not a non-negative integer
CacheOptions cache_options_from_env();

struct CacheCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0; ///< calls that went to the inner source
  std::uint64_t entries = 0;
};

class CachingSource : public SpecSource {
public:
  CachingSource(std::shared_ptr<const SpecSource> inner, CacheOptions options = {});
  ~CachingSource() override;

  /// Drops every cached result.
  void invalidate() noexcept;
  /// Drops the cached results that may mention the spec `ref` names (its id, number or slug, as
  /// get() takes) in `project_id`: its get and relationships entries and every list, search,
  /// stats and validate result.
  void invalidate(std::string_view ref, std::string_view project_id = {}) noexcept;
  CacheCounters counters() const noexcept;
  const std::shared_ptr<const SpecSource> &inner() const noexcept;

  std::vector<Project> projects() const override;
  std::shared_ptr<const SpecList> list(const ListQuery &query = {}) const override;
  SpecPtr get(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const SearchResult> search(const SearchQuery &query) const override;
  std::shared_ptr<const Stats> stats(std::string_view project_id = {}) const override;
  std::shared_ptr<const Relationships>
  relationships(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const std::vector<Diagnostic>>
  validate(std::string_view project_id = {}) const override;
  /// The inner source's events, delivered after the cache has dropped what they concern.
  Subscription subscribe(ChangeCallback callback) const override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::shared_ptr<CachingSource> make_caching_source(std::shared_ptr<const SpecSource> inner,
                                                   CacheOptions options = {});

} // namespace leanspec
