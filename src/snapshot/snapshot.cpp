// Implements src/snapshot/snapshot.hpp: ref resolution, list (filter, sort, cursor), stats and
// relationships over one immutable set of specs.
#include "snapshot/snapshot.hpp"

#include "core/base64url.hpp"
#include "model/relative_ref.hpp"
#include "query/filter.hpp"
#include "query/query_parser.hpp"
#include "query/query_terms.hpp"
#include "query/search.hpp"
#include "query/search_cursor.hpp"
#include "query/search_index.hpp"
#include "snapshot/sort_value.hpp"

#include <algorithm>
#include <climits>
#include <deque>
#include <leanspec/error.hpp>
#include <tuple>

namespace leanspec::detail {
namespace {

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- sort keys and cursors -------------------------------------------------------------

// Cursor text: "<key> <desc> <primary> <number> <text length>:<text><id>", base64url-encoded.
std::string encode_cursor(const Sort &sort, const SortValue &v) {
  return base64url(std::to_string(static_cast<int>(sort.key)) + ' ' +
                   (sort.descending ? '1' : '0') + ' ' + std::to_string(v.primary) + ' ' +
                   std::to_string(v.number) + ' ' + std::to_string(v.text.size()) + ':' + v.text +
                   v.id);
}

SortValue decode_cursor(const Sort &sort, std::string_view cursor) {
  const auto bad = [&] {
    return Error(ErrorCode::invalid_argument, "cursor '" + std::string(cursor.substr(0, 64)) +
                                                  "' is not a cursor of this sort order");
  };
  const auto raw = unbase64url(cursor);
  if (!raw)
    throw bad();
  SortValue v;
  int key = 0, desc = 0;
  std::size_t text_size = 0;
  int consumed = 0;
  if (std::sscanf(raw->c_str(), "%d %d %lld %lld %zu:%n", &key, &desc, &v.primary, &v.number,
                  &text_size, &consumed) != 5 ||
      key != static_cast<int>(sort.key) || desc != (sort.descending ? 1 : 0) ||
      static_cast<std::size_t>(consumed) + text_size > raw->size())
    throw bad();
  v.text = raw->substr(static_cast<std::size_t>(consumed), text_size);
  v.id = raw->substr(static_cast<std::size_t>(consumed) + text_size);
  return v;
}

// A project set's cursor: "S " and a one-project cursor's text whose id is followed by the
// spec's project ("<id length>:<id><project id>"), base64url-encoded: ties between projects
// (the same id in two) are broken by project id, so no page skips or repeats a spec.
std::string encode_set_cursor(const Sort &sort, const SortValue &v, std::string_view project) {
  SortValue tagged = v;
  tagged.id = std::to_string(v.id.size()) + ':' + v.id + std::string(project);
  return base64url("S " + *unbase64url(encode_cursor(sort, tagged)));
}

std::pair<SortValue, std::string> decode_set_cursor(const Sort &sort, std::string_view cursor) {
  const auto bad = [&] {
    return Error(ErrorCode::invalid_argument, "cursor '" + std::string(cursor.substr(0, 64)) +
                                                  "' is not a project set's cursor of this sort "
                                                  "order");
  };
  const auto raw = unbase64url(cursor);
  if (!raw || !raw->starts_with("S "))
    throw bad();
  SortValue v = decode_cursor(sort, base64url(raw->substr(2)));
  std::size_t id_size = 0;
  const auto colon = v.id.find(':');
  if (colon == std::string::npos || std::sscanf(v.id.c_str(), "%zu", &id_size) != 1 ||
      colon + 1 + id_size > v.id.size())
    throw bad();
  std::string project = v.id.substr(colon + 1 + id_size);
  v.id = v.id.substr(colon + 1, id_size);
  return {std::move(v), std::move(project)};
}

} // namespace

Snapshot::Snapshot(std::string project_id, std::vector<SpecPtr> specs,
                   std::vector<Diagnostic> diagnostics)
    : project_id_(std::move(project_id)), specs_(std::move(specs)),
      diagnostics_(std::move(diagnostics)) {
  std::sort(specs_.begin(), specs_.end(), [](const SpecPtr &a, const SpecPtr &b) {
    const long long na = a->number < 0 ? LLONG_MAX : a->number,
                    nb = b->number < 0 ? LLONG_MAX : b->number;
    return std::tie(na, a->id, a->path) < std::tie(nb, b->id, b->path);
  });
  const std::size_t n = specs_.size();
  by_id_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Spec &s = *specs_[i];
    by_id_.emplace(s.id, i);
    if (s.number >= 0)
      by_number_.emplace(s.number, i);
    by_slug_.emplace(s.slug, i);
  }

  // Relationship graph over resolvable refs.
  depends_on_.resize(n);
  required_by_.resize(n);
  children_.resize(n);
  parent_.assign(n, -1);
  // listed_by[j] == i + 1 once spec i lists j: a repeated ref costs O(1), not a scan.
  std::vector<std::size_t> listed_by(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto &ref : specs_[i]->depends_on) {
      const auto c = candidates(ref);
      if (c.size() == 1 && c[0] != i && listed_by[c[0]] != i + 1) {
        listed_by[c[0]] = i + 1;
        depends_on_[i].push_back(c[0]);
        required_by_[c[0]].push_back(i);
      }
    }
    if (!specs_[i]->parent.empty()) {
      const auto c = candidates(specs_[i]->parent);
      if (c.size() == 1 && c[0] != i) {
        parent_[i] = static_cast<long>(c[0]);
        children_[c[0]].push_back(i);
      }
    }
  }

  auto stats = std::make_shared<Stats>();
  stats->total = n;
  for (Status s :
       {Status::draft, Status::planned, Status::in_progress, Status::complete, Status::archived})
    stats->by_status[s] = 0;
  for (Priority p : {Priority::low, Priority::medium, Priority::high, Priority::critical})
    stats->by_priority[p] = 0;
  for (const auto &spec : specs_) {
    ++stats->by_status[spec->status];
    if (spec->priority)
      ++stats->by_priority[*spec->priority];
    else
      ++stats->without_priority;
    for (const auto &tag : spec->tags)
      ++stats->by_tag[tag];
    if (!spec->assignee.empty())
      ++stats->by_assignee[spec->assignee];
  }
  stats->completion_rate =
      n ? 100.0 * static_cast<double>(stats->by_status[Status::complete]) / static_cast<double>(n)
        : 0.0;
  stats_ = std::move(stats);
}

Snapshot::~Snapshot() = default;

std::vector<std::size_t> Snapshot::candidates(std::string_view ref) const {
  std::vector<std::size_t> out;
  while (!ref.empty() && ref.back() == '/')
    ref.remove_suffix(1);
  if (ref.empty())
    return out;
  if (const std::size_t slash = ref.rfind('/'); slash != std::string_view::npos) {
    // A path such as "archived/001-x" or "20251101/001-x": match the folder path exactly.
    for (auto [lo, hi] = by_id_.equal_range(ref.substr(slash + 1)); lo != hi; ++lo)
      if (specs_[lo->second]->path == ref)
        out.push_back(lo->second);
    std::sort(out.begin(), out.end());
    return out;
  }
  if (auto [lo, hi] = by_id_.equal_range(ref); lo != hi) {
    for (; lo != hi; ++lo)
      out.push_back(lo->second);
    std::sort(out.begin(), out.end());
    return out;
  }
  if (all_digits(ref)) {
    const std::string_view digits =
        ref.substr(std::min(ref.find_first_not_of('0'), ref.size() - 1));
    if (digits.size() <= 9) {
      const int number = std::stoi(std::string(digits));
      auto [lo, hi] = by_number_.equal_range(number);
      for (; lo != hi; ++lo)
        out.push_back(lo->second);
    }
  } else {
    auto [lo, hi] = by_slug_.equal_range(ref);
    for (; lo != hi; ++lo)
      out.push_back(lo->second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

long Snapshot::find(std::string_view ref) const {
  check_relative_ref(ref, "spec ref");
  const auto c = candidates(ref);
  if (c.empty())
    return -1;
  if (c.size() > 1) {
    std::string names;
    for (std::size_t i : c)
      names += (names.empty() ? "" : ", ") + specs_[i]->path;
    throw Error(ErrorCode::ambiguous, "spec ref '" + std::string(ref) + "' matches " +
                                          std::to_string(c.size()) + " specs: " + names);
  }
  return static_cast<long>(c.front());
}

SpecPtr Snapshot::get(std::string_view ref) const {
  const long i = find(ref);
  return i < 0 ? nullptr : specs_[static_cast<std::size_t>(i)];
}

std::shared_ptr<const SpecList> Snapshot::list(const ListQuery &query) const {
  auto result = std::make_shared<SpecList>();
  std::vector<std::pair<SortValue, SpecPtr>> rows;
  rows.reserve(specs_.size());
  const bool by_number = query.sort.key == Sort::Key::number;
  for (const auto &spec : specs_)
    if (matches(*spec, query.filter))
      rows.emplace_back(by_number ? SortValue{} : sort_value(*spec, query.sort.key), spec);
  result->total = rows.size();
  const auto less = [&](const SortValue &a, const SortValue &b) {
    return sorts_before(query.sort, a, b);
  };
  if (by_number) {
    // specs_ is already in number order: only the cursor comparison needs the values.
    for (auto &[value, spec] : rows)
      value = sort_value(*spec, query.sort.key);
    if (query.sort.descending)
      std::reverse(rows.begin(), rows.end());
  } else {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const auto &a, const auto &b) { return less(a.first, b.first); });
  }
  auto begin = rows.begin();
  if (!query.cursor.empty()) {
    const SortValue after = decode_cursor(query.sort, query.cursor);
    begin =
        std::upper_bound(rows.begin(), rows.end(), after,
                         [&](const SortValue &v, const auto &row) { return less(v, row.first); });
  }
  auto end = rows.end();
  if (query.limit && static_cast<std::size_t>(end - begin) > query.limit) {
    end = begin + static_cast<long>(query.limit);
    result->next_cursor = encode_cursor(query.sort, (end - 1)->first);
  }
  result->specs.reserve(static_cast<std::size_t>(end - begin));
  for (auto it = begin; it != end; ++it)
    result->specs.push_back(std::move(it->second));
  return result;
}

std::shared_ptr<const SpecList>
Snapshot::list_over(const std::vector<std::shared_ptr<const Snapshot>> &snapshots,
                    const ListQuery &query) {
  struct Row {
    SortValue value;
    const std::string *project;
    SpecPtr spec;
  };
  std::vector<Row> rows;
  for (const auto &snapshot : snapshots)
    for (const auto &spec : snapshot->specs_)
      if (matches(*spec, query.filter))
        rows.push_back({sort_value(*spec, query.sort.key), &snapshot->project_id_, spec});
  const auto less = [&](const SortValue &a, std::string_view pa, const SortValue &b,
                        std::string_view pb) {
    return query.sort.descending ? std::tie(b.primary, b.text, b.number, b.id, pb) <
                                       std::tie(a.primary, a.text, a.number, a.id, pa)
                                 : std::tie(a.primary, a.text, a.number, a.id, pa) <
                                       std::tie(b.primary, b.text, b.number, b.id, pb);
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row &a, const Row &b) {
    return less(a.value, *a.project, b.value, *b.project);
  });
  auto result = std::make_shared<SpecList>();
  result->total = rows.size();
  auto begin = rows.begin();
  if (!query.cursor.empty()) {
    const auto position = decode_set_cursor(query.sort, query.cursor);
    const std::string &after_project = position.second;
    begin = std::upper_bound(rows.begin(), rows.end(), position.first,
                             [&](const SortValue &v, const Row &r) {
                               return less(v, after_project, r.value, *r.project);
                             });
  }
  auto end = rows.end();
  if (query.limit && static_cast<std::size_t>(end - begin) > query.limit) {
    end = begin + static_cast<long>(query.limit);
    result->next_cursor = encode_set_cursor(query.sort, (end - 1)->value, *(end - 1)->project);
  }
  for (auto it = begin; it != end; ++it) {
    result->specs.push_back(std::move(it->spec));
    result->project_ids.push_back(*it->project);
  }
  return result;
}

std::shared_ptr<const Stats>
Snapshot::stats_over(const std::vector<std::shared_ptr<const Snapshot>> &snapshots) {
  auto out = std::make_shared<Stats>();
  for (Status s :
       {Status::draft, Status::planned, Status::in_progress, Status::complete, Status::archived})
    out->by_status[s] = 0;
  for (Priority p : {Priority::low, Priority::medium, Priority::high, Priority::critical})
    out->by_priority[p] = 0;
  for (const auto &snapshot : snapshots) {
    const Stats &one = *snapshot->stats_;
    out->total += one.total;
    out->without_priority += one.without_priority;
    for (const auto &[status, count] : one.by_status)
      out->by_status[status] += count;
    for (const auto &[priority, count] : one.by_priority)
      out->by_priority[priority] += count;
    for (const auto &[tag, count] : one.by_tag)
      out->by_tag[tag] += count;
    for (const auto &[assignee, count] : one.by_assignee)
      out->by_assignee[assignee] += count;
    out->by_project[snapshot->project_id_] = one.by_status;
  }
  out->completion_rate = out->total
                             ? 100.0 * static_cast<double>(out->by_status[Status::complete]) /
                                   static_cast<double>(out->total)
                             : 0.0;
  return out;
}

const SearchIndex &Snapshot::search_index() const {
  std::call_once(index_once_, [this] {
    index_ = build_search_index(specs_);
    index_built_.store(true, std::memory_order_release);
  });
  return *index_;
}

std::shared_ptr<const SearchResult> Snapshot::search(const SearchQuery &query) const {
  const auto parsed = parse_query(query.text);
  return std::make_shared<const SearchResult>(run_search(specs_, search_index(), *parsed,
                                                         query.filter, query.limit,
                                                         decode_search_cursor(query.cursor)));
}

std::shared_ptr<const SearchResult> Snapshot::search_once(const SearchQuery &query) const {
  if (has_search_index())
    return search(query);
  const auto parsed = parse_query(query.text);
  const QueryTerms terms(*parsed);
  const auto index = build_search_index(specs_, &terms);
  return std::make_shared<const SearchResult>(run_search(
      specs_, *index, *parsed, query.filter, query.limit, decode_search_cursor(query.cursor)));
}

std::shared_ptr<const Stats> Snapshot::stats() const { return stats_; }

namespace {

using Edges = std::vector<std::vector<std::size_t>>;

// Every node reachable from `self` along `edges`, in breadth-first order.
std::vector<std::size_t> reachable(const Edges &edges, std::size_t self) {
  std::vector<char> seen(edges.size(), 0);
  std::vector<std::size_t> order;
  std::deque<std::size_t> queue{self};
  seen[self] = 1;
  while (!queue.empty()) {
    const std::size_t at = queue.front();
    queue.pop_front();
    for (std::size_t next : edges[at])
      if (!seen[next]) {
        seen[next] = 1;
        order.push_back(next);
        queue.push_back(next);
      }
  }
  return order;
}

// The parent chain above `self`, nearest first; `cycle` when it comes back to `self`.
struct Ancestors {
  std::vector<std::size_t> chain;
  bool cycle = false;
};

Ancestors ancestors_of(const std::vector<long> &parent, std::size_t self) {
  Ancestors out;
  std::vector<char> on_chain(parent.size(), 0);
  on_chain[self] = 1;
  for (long p = parent[self]; p >= 0; p = parent[static_cast<std::size_t>(p)]) {
    const auto up = static_cast<std::size_t>(p);
    if (on_chain[up]) {
      out.cycle = up == self;
      break;
    }
    on_chain[up] = 1;
    out.chain.push_back(up);
  }
  return out;
}

// The depends_on cycles through `self`: for each direct dependency, the shortest way back (self,
// dep, ..., self). One breadth-first walk from self against the edges (along required_by) finds,
// for every spec that leads back, its next step on a shortest way to self: O(specs + edges).
std::vector<std::vector<std::size_t>>
dependency_cycles(const Edges &depends_on, const Edges &required_by, std::size_t self) {
  constexpr long unreached = -2, arrived = -1;
  std::vector<long> toward(required_by.size(), unreached);
  toward[self] = arrived;
  std::deque<std::size_t> queue{self};
  while (!queue.empty()) {
    const std::size_t at = queue.front();
    queue.pop_front();
    for (std::size_t from : required_by[at])
      if (toward[from] == unreached) {
        toward[from] = static_cast<long>(at);
        queue.push_back(from);
      }
  }
  std::vector<std::vector<std::size_t>> cycles;
  for (std::size_t dep : depends_on[self]) {
    if (toward[dep] == unreached)
      continue;
    std::vector<std::size_t> cycle{self};
    for (long at = static_cast<long>(dep); at != static_cast<long>(self);
         at = toward[static_cast<std::size_t>(at)])
      cycle.push_back(static_cast<std::size_t>(at));
    cycle.push_back(self);
    cycles.push_back(std::move(cycle));
  }
  return cycles;
}

} // namespace

std::shared_ptr<const Relationships> Snapshot::relationships(std::string_view ref) const {
  const long found = find(ref);
  if (found < 0)
    return nullptr;
  const auto self = static_cast<std::size_t>(found);
  auto r = std::make_shared<Relationships>();
  const auto ids = [&](const std::vector<std::size_t> &indices) {
    std::vector<std::string> out;
    out.reserve(indices.size());
    for (std::size_t i : indices)
      out.push_back(specs_[i]->id);
    return out;
  };
  r->id = specs_[self]->id;
  r->depends_on = ids(depends_on_[self]);
  r->required_by = ids(required_by_[self]);
  r->children = ids(children_[self]);
  if (parent_[self] >= 0)
    r->parent = specs_[static_cast<std::size_t>(parent_[self])]->id;
  r->depends_on_transitive = ids(reachable(depends_on_, self));
  r->required_by_transitive = ids(reachable(required_by_, self));

  // Ancestors; a parent chain that comes back to self is a cycle: self, ancestors..., self.
  const Ancestors ancestors = ancestors_of(parent_, self);
  r->ancestors = ids(ancestors.chain);
  if (ancestors.cycle) {
    std::vector<std::string> cycle{specs_[self]->id};
    for (std::string &id : ids(ancestors.chain))
      cycle.push_back(std::move(id));
    cycle.push_back(specs_[self]->id);
    r->cycles.push_back(std::move(cycle));
  }
  for (const auto &cycle : dependency_cycles(depends_on_, required_by_, self))
    r->cycles.push_back(ids(cycle));
  return r;
}

} // namespace leanspec::detail
