// Implements the project sets of SpecsService (src/service/specs_service_impl.hpp): list,
// search and stats over several projects or every one ("*", docs/GLOSSARY.md "project set").
// Each source answers its part: the filesystem source its project, the database the rest in
// one call ("a,b" or "*"), or, when it refuses a set (not_found / invalid_argument) or is
// down, project by project (each read routed like a single-project call, fallbacks included).
// The parts are merged here: lists in the list's sort order (then by project id), search hits
// by score (then spec number, id, project id and path, as the database orders ties), stats summed
// with a count per status per project. Cursors: src/service/set_cursor.hpp.
#include "service/set_cursor.hpp"
#include "service/specs_service_impl.hpp"
#include "snapshot/sort_value.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace leanspec {
namespace {

bool refuses_sets(const Error &e) {
  return e.code() == ErrorCode::not_found || e.code() == ErrorCode::invalid_argument;
}

std::string joined(const std::vector<std::string> &ids) {
  std::string out;
  for (const auto &id : ids)
    out += (out.empty() ? "" : ",") + id;
  return out;
}

// The project of a part's i-th result: a subset's answer names it, a project's is the part.
const std::string &project_of(const std::vector<std::string> &project_ids, std::size_t i,
                              const std::string &key) {
  return i < project_ids.size() ? project_ids[i] : key;
}

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max()
                                                         : a + b;
}

} // namespace

std::vector<SpecsService::Impl::SetPart>
SpecsService::Impl::set_parts(const detail::ProjectSet &set) {
  std::vector<SetPart> parts;
  if (set.all) {
    if (fs.configured)
      parts.push_back({&fs, fs_project_id, {}, false});
    if (db.configured)
      parts.push_back({&db, std::string(all_projects), {}, true});
    return parts;
  }
  std::vector<std::string> remote;
  for (const auto &id : set.ids) {
    if (fs.configured && id == fs_project_id)
      parts.push_back({&fs, id, {}, false});
    else
      remote.push_back(id);
  }
  if (!remote.empty() && !db.configured) {
    std::string project;
    (void)route_for(remote.front(), project); // throws not_found, naming the mode
  }
  if (remote.size() == 1)
    parts.push_back({&db, remote.front(), {}, false});
  else if (remote.size() > 1)
    parts.push_back({&db, joined(remote), remote, true});
  return parts;
}

// One project's read, routed like a single-project call. `call(target, project)` runs on a
// SpecSource (the cache) or, while the source fails, on the project's fallback Snapshot.
template <class T, class Call>
std::shared_ptr<const T> SpecsService::Impl::read_part(Route &route, const std::string &project,
                                                       const Call &call) {
  return read<T>(
      route, project, [&](const SpecSource &s) { return call(s, project); },
      [&](const detail::Snapshot &snapshot) { return call(snapshot, project); });
}

// Every part's answer. A subset is asked once; when the database refuses it (or fails), it is
// asked per project, unless the subset was `resumed` from a cursor (its refusal then stands).
template <class T, class Call>
std::vector<SpecsService::Impl::PartAnswer<T>>
SpecsService::Impl::ask_set(const detail::ProjectSet &set, const Call &call,
                            const std::vector<std::string> &resumed) {
  std::vector<PartAnswer<T>> out;
  for (const SetPart &part : set_parts(set)) {
    if (!part.subset) {
      out.push_back({part.route, part.key, false, read_part<T>(*part.route, part.key, call)});
      continue;
    }
    if (const auto cache = healthy_cache(*part.route)) {
      try {
        out.push_back({part.route, part.key, true, call(*cache, part.key)});
        continue;
      } catch (const Error &e) {
        const bool was_resumed =
            std::find(resumed.begin(), resumed.end(), part.key) != resumed.end();
        if (e.code() == ErrorCode::database)
          fail(*part.route, e.what());
        else if (!refuses_sets(e) || was_resumed)
          throw;
      }
    }
    std::vector<std::string> members = part.members;
    if (members.empty())
      for (const Project &p : database_projects())
        members.push_back(p.id);
    for (const std::string &member : members)
      out.push_back({part.route, member, false, read_part<T>(*part.route, member, call)});
  }
  return out;
}

// A list over a set: each part resumes from its cursor; the parts' pages are merged, their
// order kept (a k-way merge), and the next cursor records where each part stopped.
std::shared_ptr<const SpecList> SpecsService::Impl::list_set(const ListQuery &query,
                                                             const detail::ProjectSet &set) {
  const detail::SetCursor from =
      detail::decode_set_cursor(query.cursor, detail::SetCursor::Kind::list);
  std::vector<std::string> resumed;
  for (const auto &[key, next] : from.parts)
    resumed.push_back(key);
  // A part that is done is still asked (one spec) for its total.
  const auto part_query = [&](const std::string &key, std::size_t limit) {
    ListQuery q = query;
    q.project_id = key;
    q.limit = limit;
    q.cursor.clear();
    if (const auto it = from.parts.find(key); it != from.parts.end()) {
      if (it->second)
        q.cursor = *it->second;
      else
        q.limit = 1;
    }
    return q;
  };
  const auto call = [&](const auto &target, const std::string &key) {
    return target.list(part_query(key, query.limit));
  };
  const auto answers = ask_set<SpecList>(set, call, resumed);

  auto result = std::make_shared<SpecList>();
  const std::size_t n = answers.size();
  std::vector<std::size_t> at(n, 0);
  std::vector<char> finished(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    result->total += answers[i].value->total;
    const auto it = from.parts.find(answers[i].key);
    finished[i] = it != from.parts.end() && !it->second;
  }
  // Each part's next spec and its position (empty when the part has no more).
  std::vector<std::optional<detail::SortValue>> head(n);
  const auto advance = [&](std::size_t i) {
    const auto &specs = answers[i].value->specs;
    head[i].reset();
    if (!finished[i] && at[i] < specs.size())
      head[i] = detail::sort_value(*specs[at[i]], query.sort.key);
  };
  const auto project_at = [&](std::size_t i) -> const std::string & {
    return project_of(answers[i].value->project_ids, at[i], answers[i].key);
  };
  for (std::size_t i = 0; i < n; ++i)
    advance(i);
  while (!query.limit || result->specs.size() < query.limit) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < n; ++i) {
      if (!head[i])
        continue;
      if (!best || detail::sorts_before(query.sort, *head[i], *head[*best]) ||
          (!detail::sorts_before(query.sort, *head[*best], *head[i]) &&
           project_at(i) < project_at(*best)))
        best = i;
    }
    if (!best)
      break;
    result->specs.push_back(answers[*best].value->specs[at[*best]]);
    result->project_ids.push_back(project_at(*best));
    ++at[*best];
    advance(*best);
  }

  bool more = false;
  detail::SetCursor next = from;
  for (std::size_t i = 0; i < n && query.limit; ++i) {
    const PartAnswer<SpecList> &a = answers[i];
    const bool rest = at[i] < a.value->specs.size() || !a.value->next_cursor.empty();
    more = more || (!finished[i] && rest);
    if (finished[i] || at[i] == 0)
      continue;
    if (at[i] == a.value->specs.size()) {
      next.parts.insert_or_assign(
          a.key, a.value->next_cursor.empty() ? std::nullopt : std::optional(a.value->next_cursor));
      continue;
    }
    // Part of the part's page was used: ask it where a page of that size ends.
    const ListQuery shorter = part_query(a.key, at[i]);
    const auto again = [&](const auto &target, const std::string &) {
      return target.list(shorter);
    };
    std::shared_ptr<const SpecList> page;
    if (!a.subset) {
      page = read_part<SpecList>(*a.route, a.key, again);
    } else if (const auto cache = healthy_cache(*a.route)) {
      page = cache->list(shorter);
    } else {
      throw unavailable(*a.route, a.key);
    }
    next.parts.insert_or_assign(a.key, page->next_cursor);
  }
  if (more)
    result->next_cursor = detail::encode_set_cursor(next);
  return result;
}

// A search over a set: every part's best (earlier pages + this page) hits, merged by score.
std::shared_ptr<const SearchResult> SpecsService::Impl::search_set(const SearchQuery &query,
                                                                   const detail::ProjectSet &set) {
  const detail::SetCursor from =
      detail::decode_set_cursor(query.cursor, detail::SetCursor::Kind::search);
  SearchQuery each = query;
  each.cursor.clear();
  each.limit = query.limit ? saturating_add(from.offset, query.limit) : 0;
  const auto call = [&](const auto &target, const std::string &key) {
    SearchQuery q = each;
    q.project_id = key;
    return target.search(q);
  };
  const auto answers = ask_set<SearchResult>(set, call, {});

  auto result = std::make_shared<SearchResult>();
  std::vector<SearchHit> hits;
  for (const auto &a : answers) {
    result->total += a.value->total;
    for (const SearchHit &hit : a.value->hits) {
      hits.push_back(hit);
      if (!a.subset || hits.back().project_id.empty())
        hits.back().project_id = a.key;
    }
  }
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit &a, const SearchHit &b) {
    if (a.score != b.score)
      return a.score > b.score;
    // Ties as the database's search orders them (src/db/search), so that each part's best
    // hits are a prefix of this order: by number, id, project, path.
    return std::tie(a.spec->number, a.spec->id, a.project_id, a.spec->path) <
           std::tie(b.spec->number, b.spec->id, b.project_id, b.spec->path);
  });
  const std::size_t begin = std::min(from.offset, hits.size());
  const std::size_t end =
      query.limit ? std::min(saturating_add(begin, query.limit), hits.size()) : hits.size();
  result->hits.assign(std::make_move_iterator(hits.begin() + static_cast<long>(begin)),
                      std::make_move_iterator(hits.begin() + static_cast<long>(end)));
  if (query.limit && end < result->total && end == begin + query.limit)
    result->next_cursor = detail::encode_set_cursor({detail::SetCursor::Kind::search, {}, end});
  return result;
}

// Stats over a set: every part's counts summed, and each project's count per status.
std::shared_ptr<const Stats> SpecsService::Impl::stats_set(const detail::ProjectSet &set) {
  const auto call = [](const auto &target, const std::string &key) {
    if constexpr (std::is_same_v<std::decay_t<decltype(target)>, detail::Snapshot>)
      return target.stats();
    else
      return target.stats(key);
  };
  const auto answers = ask_set<Stats>(set, call, {});
  auto stats = std::make_shared<Stats>();
  for (Status s :
       {Status::draft, Status::planned, Status::in_progress, Status::complete, Status::archived})
    stats->by_status[s] = 0;
  for (Priority p : {Priority::low, Priority::medium, Priority::high, Priority::critical})
    stats->by_priority[p] = 0;
  for (const auto &a : answers) {
    const Stats &part = *a.value;
    stats->total += part.total;
    for (const auto &[status, count] : part.by_status)
      stats->by_status[status] += count;
    for (const auto &[priority, count] : part.by_priority)
      stats->by_priority[priority] += count;
    stats->without_priority += part.without_priority;
    for (const auto &[tag, count] : part.by_tag)
      stats->by_tag[tag] += count;
    for (const auto &[assignee, count] : part.by_assignee)
      stats->by_assignee[assignee] += count;
    if (a.subset)
      for (const auto &[project, counts] : part.by_project)
        stats->by_project[project] = counts;
    else
      stats->by_project[a.key] = part.by_status;
  }
  const std::size_t complete = stats->by_status[Status::complete];
  stats->completion_rate =
      stats->total ? 100.0 * static_cast<double>(complete) / static_cast<double>(stats->total)
                   : 0.0;
  return stats;
}

} // namespace leanspec
