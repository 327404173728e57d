// Implements Snapshot::memory_bytes (src/snapshot/snapshot.hpp): the heap bytes a snapshot
// holds, counted member by member as glibc's malloc hands them out, so that a cache can keep
// snapshots under a byte budget (DatabaseOptions::cache_bytes). Checked against mallinfo2()
// in tests/unit/database_memory_test.cpp.
#include "query/search_index.hpp"
#include "snapshot/snapshot.hpp"

#include <map>

namespace leanspec::detail {
namespace {

// What malloc(n) takes from the heap: glibc's chunk (n plus an 8-byte header, rounded up to
// 16, at least 32 bytes). 0 for no allocation.
std::size_t chunk(std::size_t n) noexcept {
  if (n == 0)
    return 0;
  const std::size_t rounded = (n + 8 + 15) & ~std::size_t{15};
  return rounded < 32 ? 32 : rounded;
}

// A std::string's heap buffer: none while the text fits the small-string buffer (15 bytes in
// libstdc++, which keeps it inside the object).
std::size_t heap(const std::string &s) noexcept {
  return s.capacity() > 15 ? chunk(s.capacity() + 1) : 0;
}

template <class T> std::size_t array(const std::vector<T> &v) noexcept {
  return chunk(v.capacity() * sizeof(T));
}

std::size_t heap(const std::vector<std::string> &v) noexcept {
  std::size_t bytes = array(v);
  for (const auto &s : v)
    bytes += heap(s);
  return bytes;
}

std::size_t heap(const Value &value) noexcept {
  std::size_t bytes = heap(value.text) + array(value.items) + array(value.fields);
  for (const Value &item : value.items)
    bytes += heap(item);
  for (const Field &field : value.fields)
    bytes += heap(field.key) + heap(field.value);
  return bytes;
}

std::size_t heap(const Diagnostic &d) noexcept {
  return heap(d.spec_id) + heap(d.file) + heap(d.code) + heap(d.message);
}

std::size_t heap(const Spec &spec) noexcept {
  std::size_t bytes = heap(spec.id) + heap(spec.number_text) + heap(spec.slug) + heap(spec.path) +
                      heap(spec.title) + heap(spec.tags) + heap(spec.assignee) +
                      heap(spec.created) + heap(spec.created_at) + heap(spec.updated_at) +
                      heap(spec.completed_at) + heap(spec.completed) + array(spec.transitions) +
                      heap(spec.depends_on) + heap(spec.parent) + heap(spec.related) +
                      heap(spec.frontmatter) + array(spec.custom_fields) + heap(spec.body) +
                      heap(spec.content_hash) + array(spec.sub_specs) + array(spec.diagnostics);
  for (const Transition &t : spec.transitions)
    bytes += heap(t.at);
  for (const Field &field : spec.custom_fields)
    bytes += heap(field.key) + heap(field.value);
  for (const SubSpec &sub : spec.sub_specs)
    bytes += heap(sub.file) + heap(sub.name) + heap(sub.content) + heap(sub.content_hash);
  for (const Diagnostic &d : spec.diagnostics)
    bytes += heap(d);
  return bytes;
}

// A std::make_shared object: one chunk for the object and its control block (two counts and a
// vtable pointer).
template <class T> std::size_t shared_object() noexcept { return chunk(sizeof(T) + 16); }

// An unordered container: its bucket array, and a node per element holding the next pointer,
// the value and (for keys whose hash is not trivially cheap, as string_view's) the hash.
template <class Map> std::size_t hash_table(const Map &map, bool cached_hash) noexcept {
  const std::size_t node =
      sizeof(void *) + sizeof(typename Map::value_type) + (cached_hash ? sizeof(std::size_t) : 0);
  return (map.bucket_count() > 1 ? chunk(map.bucket_count() * sizeof(void *)) : 0) +
         map.size() * chunk(node);
}

// A std::map: a node per element (three pointers and a colour before the value).
template <class Map> std::size_t tree(const Map &map) noexcept {
  return map.size() * chunk(32 + sizeof(typename Map::value_type));
}

std::size_t heap(const Stats &stats) noexcept {
  std::size_t bytes = tree(stats.by_status) + tree(stats.by_priority) + tree(stats.by_tag) +
                      tree(stats.by_assignee) + tree(stats.by_project);
  for (const auto &[tag, count] : stats.by_tag)
    bytes += heap(tag);
  for (const auto &[assignee, count] : stats.by_assignee)
    bytes += heap(assignee);
  for (const auto &[project, counts] : stats.by_project)
    bytes += heap(project) + tree(counts);
  return bytes;
}

template <class T> std::size_t nested(const std::vector<std::vector<T>> &v) noexcept {
  std::size_t bytes = array(v);
  for (const auto &inner : v)
    bytes += array(inner);
  return bytes;
}

} // namespace

std::size_t Snapshot::memory_bytes() const {
  std::size_t bytes =
      shared_object<Snapshot>() + heap(project_id_) + array(specs_) + array(diagnostics_) +
      hash_table(by_id_, true) + hash_table(by_number_, false) + hash_table(by_slug_, true) +
      nested(depends_on_) + nested(required_by_) + nested(children_) + array(parent_);
  for (const SpecPtr &spec : specs_)
    bytes += shared_object<Spec>() + heap(*spec);
  for (const Diagnostic &d : diagnostics_)
    bytes += heap(d);
  if (stats_)
    bytes += shared_object<Stats>() + heap(*stats_);
  if (has_search_index()) // memory_usage() counts the object's own size once already
    bytes += chunk(sizeof(SearchIndex) + 16) - sizeof(SearchIndex) + index_->memory_usage();
  return bytes;
}

} // namespace leanspec::detail
