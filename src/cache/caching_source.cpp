// Implements CachingSource of include/leanspec/caching_source.hpp: results kept per call and
// arguments for a TTL, single-flight loading, generation-guarded invalidation.
#include "core/tags_match.hpp"

#include <charconv>
#include <cstdlib>
#include <future>
#include <leanspec/caching_source.hpp>
#include <leanspec/error.hpp>
#include <mutex>
#include <unordered_map>

namespace leanspec {
namespace {

using Payload = std::shared_ptr<const void>;
using TimePoint = std::chrono::steady_clock::time_point;

struct Entry {
  TimePoint stored;
  Payload value;
  std::string spec_id; ///< for get/relationships: the spec the value is about ("" for none)
  bool per_spec = false;
};

struct Flight {
  std::shared_future<Payload> result;
};

void append(std::string &key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

std::string list_key(char kind, std::string_view project, const Filter &f) {
  std::string key(1, kind);
  append(key, project);
  for (Status s : f.statuses)
    key += static_cast<char>('0' + static_cast<int>(s));
  key += '|';
  for (Priority p : f.priorities)
    key += static_cast<char>('0' + static_cast<int>(p));
  key += detail::tags_match_of(f) == TagsMatch::all ? '&' : '/';
  for (const auto &t : f.tags)
    append(key, t);
  key += f.assignee ? '=' : '-';
  if (f.assignee)
    append(key, *f.assignee);
  key += f.archived ? (*f.archived ? 'A' : 'N') : '*';
  return key;
}

// Whether `ref` may name the spec `id`: its id, a path ending in it, its number with or without
// leading zeros, or its slug (a superset of what a source resolves: dropping more is harmless).
bool may_name(std::string_view ref, std::string_view id) noexcept {
  while (!ref.empty() && ref.back() == '/')
    ref.remove_suffix(1);
  if (const std::size_t slash = ref.rfind('/'); slash != std::string_view::npos)
    ref.remove_prefix(slash + 1);
  if (ref == id)
    return true;
  const auto [number, slug] = split_spec_id(id);
  if (ref == slug)
    return true;
  const auto digits = [](std::string_view s) {
    const std::size_t first = s.find_first_not_of('0');
    return first == std::string_view::npos ? std::string_view("0") : s.substr(first);
  };
  return !number.empty() && !ref.empty() &&
         ref.find_first_not_of("0123456789") == std::string_view::npos &&
         digits(ref) == digits(number);
}

} // namespace

struct CachingSource::Impl {
  std::shared_ptr<const SpecSource> inner;
  CacheOptions options;
  mutable std::mutex mutex;
  mutable std::unordered_map<std::string, Entry> entries;
  mutable std::unordered_map<std::string, std::shared_ptr<Flight>> flights;
  mutable std::uint64_t generation = 0;
  mutable std::uint64_t hits = 0, misses = 0;
  Subscription subscription; // to the inner source's change events

  TimePoint now() const {
    return options.clock ? options.clock() : std::chrono::steady_clock::now();
  }

  // Returns the cached value for `key`, or runs `load` once for all concurrent callers.
  template <class T, class Load>
  std::shared_ptr<const T> fetch(std::string key, bool per_spec, Load &&load) const {
    if (options.ttl.count() <= 0)
      return load();
    std::shared_ptr<Flight> flight;
    std::promise<Payload> promise;
    std::uint64_t started_generation = 0;
    {
      std::unique_lock lock(mutex);
      const TimePoint t = now();
      if (auto it = entries.find(key); it != entries.end()) {
        if (t - it->second.stored < options.ttl) {
          ++hits;
          return std::static_pointer_cast<const T>(it->second.value);
        }
        entries.erase(it);
      }
      if (auto it = flights.find(key); it != flights.end()) {
        ++hits;
        auto waiting = it->second;
        lock.unlock();
        return std::static_pointer_cast<const T>(waiting->result.get());
      }
      ++misses;
      flight = std::make_shared<Flight>();
      flight->result = promise.get_future().share();
      flights.emplace(key, flight);
      started_generation = generation;
    }
    std::shared_ptr<const T> value;
    try {
      value = load();
    } catch (...) {
      promise.set_exception(std::current_exception());
      const std::lock_guard lock(mutex);
      flights.erase(key);
      throw;
    }
    promise.set_value(value);
    const std::lock_guard lock(mutex);
    flights.erase(key);
    if (generation == started_generation) {
      Entry entry{now(), value, {}, per_spec};
      if constexpr (std::is_same_v<T, Spec>)
        entry.spec_id = value ? value->id : std::string{};
      entries.insert_or_assign(std::move(key), std::move(entry));
    }
    return value;
  }
};

CacheOptions cache_options_from_env() {
  CacheOptions options;
  // CACHE_TTL is CACHE_TTL_MS's deprecated name, read for one release when the new one is unset.
  const char *name = "CACHE_TTL_MS";
  const char *text = std::getenv(name);
  if (!text || !*text)
    text = std::getenv(name = "CACHE_TTL");
  if (text && *text) {
    const std::string_view s(text);
    long long ms = -1;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc() || end != s.data() + s.size() || ms < 0)
      throw Error(ErrorCode::config,
                  std::string(name) + "='" + std::string(s.substr(0, 32)) +
                      "' is not a number of milliseconds (a non-negative integer)");
    options.ttl = std::chrono::milliseconds(ms);
  }
  return options;
}

CachingSource::CachingSource(std::shared_ptr<const SpecSource> inner, CacheOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (!inner)
    throw Error(ErrorCode::invalid_argument, "CachingSource: inner source is null");
  impl_->inner = std::move(inner);
  impl_->options = std::move(options);
  // Subscribed first, so hosts subscribing through subscribe() hear of a change after this
  // has run. A new spec may make a number or slug ambiguous: then everything goes.
  impl_->subscription = impl_->inner->subscribe([this](const ChangeEvent &event) {
    if (!event.added.empty())
      return invalidate();
    for (const auto &id : event.changed)
      invalidate(id, event.project_id);
    for (const auto &id : event.removed)
      invalidate(id, event.project_id);
  });
}

CachingSource::~CachingSource() {
  impl_->subscription.reset(); // waits for a running invalidation
}

Subscription CachingSource::subscribe(ChangeCallback callback) const {
  return impl_->inner->subscribe(std::move(callback));
}

void CachingSource::invalidate() noexcept {
  const std::lock_guard lock(impl_->mutex);
  impl_->entries.clear();
  ++impl_->generation;
}

void CachingSource::invalidate(std::string_view ref, std::string_view project_id) noexcept {
  const std::lock_guard lock(impl_->mutex);
  // Only get() entries about another spec survive: every other result may mention this spec,
  // and a cached "no such spec" may now be found. Dropping the spec id in every project is a
  // harmless superset of dropping it in `project_id`.
  (void)project_id;
  for (auto it = impl_->entries.begin(); it != impl_->entries.end();) {
    const Entry &e = it->second;
    const bool keep = e.per_spec && !e.spec_id.empty() && !may_name(ref, e.spec_id);
    it = keep ? std::next(it) : impl_->entries.erase(it);
  }
  ++impl_->generation;
}

CacheCounters CachingSource::counters() const noexcept {
  const std::lock_guard lock(impl_->mutex);
  return {impl_->hits, impl_->misses, impl_->entries.size()};
}

const std::shared_ptr<const SpecSource> &CachingSource::inner() const noexcept {
  return impl_->inner;
}

std::vector<Project> CachingSource::projects() const { return impl_->inner->projects(); }

std::shared_ptr<const SpecList> CachingSource::list(const ListQuery &query) const {
  std::string key = list_key('L', query.project_id, query.filter);
  key += static_cast<char>('0' + static_cast<int>(query.sort.key));
  key += query.sort.descending ? 'd' : 'a';
  key += std::to_string(query.limit);
  append(key, query.cursor);
  return impl_->fetch<SpecList>(std::move(key), false, [&] { return impl_->inner->list(query); });
}

SpecPtr CachingSource::get(std::string_view ref, std::string_view project_id) const {
  std::string key("G");
  append(key, project_id);
  key += ref;
  return impl_->fetch<Spec>(std::move(key), true,
                            [&] { return impl_->inner->get(ref, project_id); });
}

std::shared_ptr<const SearchResult> CachingSource::search(const SearchQuery &query) const {
  std::string key = list_key('S', query.project_id, query.filter);
  key += std::to_string(query.limit);
  append(key, query.cursor);
  key += ';';
  key += query.text;
  return impl_->fetch<SearchResult>(std::move(key), false,
                                    [&] { return impl_->inner->search(query); });
}

std::shared_ptr<const Stats> CachingSource::stats(std::string_view project_id) const {
  std::string key("T");
  key += project_id;
  return impl_->fetch<Stats>(std::move(key), false,
                             [&] { return impl_->inner->stats(project_id); });
}

std::shared_ptr<const Relationships>
CachingSource::relationships(std::string_view ref, std::string_view project_id) const {
  std::string key("R");
  append(key, project_id);
  key += ref;
  // Not per spec: another spec's change alters requiredBy, children and the transitive sets.
  return impl_->fetch<Relationships>(std::move(key), false,
                                     [&] { return impl_->inner->relationships(ref, project_id); });
}

std::shared_ptr<const std::vector<Diagnostic>>
CachingSource::validate(std::string_view project_id) const {
  std::string key("V");
  key += project_id;
  return impl_->fetch<std::vector<Diagnostic>>(std::move(key), false,
                                               [&] { return impl_->inner->validate(project_id); });
}

std::shared_ptr<CachingSource> make_caching_source(std::shared_ptr<const SpecSource> inner,
                                                   CacheOptions options) {
  return std::make_shared<CachingSource>(std::move(inner), std::move(options));
}

} // namespace leanspec
