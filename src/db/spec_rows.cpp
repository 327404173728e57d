// Implements src/db/spec_rows.hpp.
#include "db/spec_rows.hpp"

#include "core/project_set.hpp"
#include "model/spec_parser.hpp"

#include "json/json_writer.hpp"
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace leanspec::detail {
namespace {

[[noreturn]] void invalid(const std::string &message) {
  throw Error(ErrorCode::invalid_argument, message);
}

bool is_github_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > 100 || s == "." || s == "..")
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A relative path staying inside its root: no empty, "." or ".." component, no '\', no
// control byte, not absolute.
bool is_inside_path(std::string_view path) noexcept {
  if (path.empty() || path.front() == '/' || has_control(path) ||
      path.find('\\') != std::string_view::npos)
    return false;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos)
      end = path.size();
    const std::string_view part = path.substr(begin, end - begin);
    if (part.empty() || part == "." || part == "..")
      return false;
    begin = end + 1;
  }
  return true;
}

} // namespace

WriteMode write_mode_of(std::string_view stored) {
  if (const auto mode = write_mode_from(stored))
    return *mode;
  throw Error(ErrorCode::database, "a project's write_mode is '" + std::string(stored) +
                                       "', not commit or pull_request");
}

ProjectRecord checked_project(const ProjectRecord &project) {
  ProjectRecord p = project;
  if (p.id.empty())
    p.id = p.owner + "/" + p.repo;
  check_project_id(p.id); // ',' and '*' name project sets
  const std::size_t slash = p.id.find('/');
  if (slash == std::string::npos || !is_github_name(p.id.substr(0, slash)) ||
      !is_github_name(p.id.substr(slash + 1)))
    invalid("project id '" + p.id + "' is not 'owner/repo' (letters, digits, '-', '_', '.')");
  const std::string owner = p.id.substr(0, slash), repo = p.id.substr(slash + 1);
  if (p.owner.empty())
    p.owner = owner;
  if (p.repo.empty())
    p.repo = repo;
  if (p.owner != owner || p.repo != repo)
    invalid("project id '" + p.id + "' disagrees with owner '" + p.owner + "' and repo '" + p.repo +
            "'");
  if (p.branch.empty() || has_control(p.branch) || p.branch.find(' ') != std::string::npos ||
      p.branch.find("..") != std::string::npos)
    invalid("project '" + p.id + "': branch '" + p.branch + "' is not a branch name");
  while (p.specs_path.size() > 1 && p.specs_path.back() == '/')
    p.specs_path.pop_back();
  if (p.specs_path == "." || p.specs_path == "/")
    p.specs_path.clear();
  if (!p.specs_path.empty() && !is_inside_path(p.specs_path))
    invalid("project '" + p.id + "': specs path '" + p.specs_path +
            "' must be a folder inside the repository");
  if (p.sync_interval.count() < 0)
    invalid("project '" + p.id + "': the sync interval must not be negative");
  if (p.sync_state != "idle" && p.sync_state != "syncing" && p.sync_state != "ok" &&
      p.sync_state != "error")
    invalid("project '" + p.id + "': sync state '" + p.sync_state +
            "' is not idle, syncing, ok or error");
  if (to_string(p.write_mode).empty())
    invalid("project '" + p.id + "': the write mode is not commit or pull_request");
  if (p.etags_json.empty())
    p.etags_json = "{}";
  return p;
}

ProjectPatch checked_patch(std::string_view id, const ProjectPatch &patch) {
  ProjectRecord p;
  p.id = id;
  p.branch = patch.branch.value_or(p.branch);
  p.specs_path = patch.specs_path.value_or(p.specs_path);
  p.sync_interval = patch.sync_interval.value_or(p.sync_interval);
  p.write_mode = patch.write_mode.value_or(p.write_mode);
  p = checked_project(p);
  ProjectPatch out;
  if (patch.branch)
    out.branch = p.branch;
  if (patch.specs_path)
    out.specs_path = p.specs_path;
  if (patch.sync_interval)
    out.sync_interval = p.sync_interval;
  out.write_mode = patch.write_mode;
  return out;
}

std::vector<PreparedSpec> prepare_specs(const std::vector<StoredSpec> &specs) {
  std::vector<PreparedSpec> out;
  out.reserve(specs.size());
  std::unordered_set<std::string_view> paths;
  for (const StoredSpec &spec : specs) {
    if (!is_inside_path(spec.path))
      invalid("spec path '" + spec.path + "' must be a folder inside the specs directory");
    if (!paths.insert(spec.path).second)
      invalid("spec path '" + spec.path + "' is given twice");
    PreparedSpec prepared;
    prepared.spec = &spec;
    for (const StoredFile &file : spec.files) {
      if (file.name.empty() || file.name.find('/') != std::string::npos ||
          file.name.find('\0') != std::string::npos || file.name == "." || file.name == "..")
        invalid("spec '" + spec.path + "': file name '" + file.name + "' is not a file name");
      prepared.files.push_back(&file);
    }
    std::sort(prepared.files.begin(), prepared.files.end(),
              [](const StoredFile *a, const StoredFile *b) {
                const bool a_readme = a->name == "README.md", b_readme = b->name == "README.md";
                return a_readme != b_readme ? a_readme : a->name < b->name;
              });
    std::string digest;
    for (std::size_t i = 0; i < prepared.files.size(); ++i) {
      const StoredFile &file = *prepared.files[i];
      if (i > 0 && prepared.files[i - 1]->name == file.name)
        invalid("spec '" + spec.path + "': file '" + file.name + "' is given twice");
      prepared.content_hashes.push_back(file.content_hash.empty() ? git_blob_sha1(file.content)
                                                                  : file.content_hash);
      digest += file.name;
      digest += '\0';
      digest += prepared.content_hashes.back();
      digest += '\n';
    }
    prepared.files_hash = git_blob_sha1(digest);
    out.push_back(std::move(prepared));
  }
  return out;
}

SpecRow make_spec_row(const PreparedSpec &prepared) {
  std::optional<std::string_view> readme;
  std::vector<std::pair<std::string, std::string>> sub_files;
  for (const StoredFile *file : prepared.files) {
    if (file->name == "README.md")
      readme = file->content;
    else if (file->name.ends_with(".md"))
      sub_files.emplace_back(file->name, file->content);
  }
  const Spec spec = parse_spec_files(prepared.spec->path, readme, std::move(sub_files), {});

  SpecRow row;
  row.id = spec.id;
  row.number_text = spec.number_text;
  if (spec.number >= 0)
    row.number = spec.number;
  row.slug = spec.slug;
  row.title = spec.title;
  row.status = std::string(to_string(spec.status));
  if (spec.priority)
    row.priority = std::string(to_string(*spec.priority));
  {
    JsonWriter w;
    w.strings(spec.tags);
    row.tags_json = std::move(w.out());
  }
  row.assignee = spec.assignee;
  row.created = spec.created;
  row.created_at = spec.created_at;
  row.updated_at = spec.updated_at;
  row.completed = spec.completed;
  row.completed_at = spec.completed_at;
  row.parent = spec.parent;
  row.archived = spec.archived;
  {
    JsonWriter w;
    if (spec.frontmatter.kind == Value::Kind::mapping)
      write_value(w, spec.frontmatter);
    else
      w.null();
    row.frontmatter_json = std::move(w.out());
  }
  row.body = spec.body;
  row.content_hash = spec.content_hash;
  for (std::size_t i = 0; i < spec.depends_on.size(); ++i)
    row.relationships.push_back({"depends_on", static_cast<int>(i), spec.depends_on[i]});
  if (!spec.parent.empty())
    row.relationships.push_back({"parent", 0, spec.parent});
  for (std::size_t i = 0; i < spec.related.size(); ++i)
    row.relationships.push_back({"related", static_cast<int>(i), spec.related[i]});
  row.title_terms = distinct_tokens(row.title);
  row.key_terms = distinct_tokens(row.tags_json + ' ' + row.id);
  row.body_terms = distinct_tokens(row.body);
  return row;
}

SpecRows::SpecRows(const std::vector<PreparedSpec> &prepared,
                   const std::unordered_map<std::string, std::string> &stored) {
  std::vector<const PreparedSpec *> todo;
  for (const PreparedSpec &spec : prepared) {
    const auto found = stored.find(spec.spec->path);
    if (found == stored.end() || found->second != spec.files_hash)
      todo.push_back(&spec);
  }
  std::vector<SpecRow> rows(todo.size());
  for_each_parallel(todo.size(), 16, [&](std::size_t i) { rows[i] = make_spec_row(*todo[i]); });
  for (std::size_t i = 0; i < todo.size(); ++i)
    rows_.emplace(todo[i], std::move(rows[i]));
}

void for_each_parallel(std::size_t count, std::size_t parallel_from,
                       const std::function<void(std::size_t)> &body) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&]() noexcept {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < count;)
        body(i);
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure)
        failure = std::current_exception();
      next = count;
    }
  };
  {
    const std::size_t threads =
        count < parallel_from ? 0 : std::max(1u, std::thread::hardware_concurrency()) - 1;
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t)
      pool.emplace_back(work);
    work(); // the caller's thread works too; the pool joins at the end of this block
  }
  if (failure)
    std::rethrow_exception(failure);
}

const SpecRow &SpecRows::row(const PreparedSpec &spec) {
  auto found = rows_.find(&spec);
  if (found == rows_.end())
    found = rows_.emplace(&spec, make_spec_row(spec)).first;
  return found->second;
}

namespace {

// A set of views, open addressing with linear probing: a token seen before costs a probe and
// a compare, no allocation (std::unordered_set allocates a node per insert). Each slot keeps
// the view's hash, so a probe compares bytes only when the hashes are equal.
class ViewSet {
public:
  explicit ViewSet(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity < expected * 2)
      capacity *= 2;
    slots_.resize(capacity);
  }
  // True when `v` (with hash `h`) was not in the set, and now is. `v` must not be empty.
  bool insert(std::string_view v, std::uint64_t h) {
    if ((size_ + 1) * 2 > slots_.size())
      grow();
    Slot &slot = find(slots_, v, h);
    if (!slot.view.empty())
      return false;
    slot = {v, h};
    ++size_;
    return true;
  }

private:
  struct Slot {
    std::string_view view;
    std::uint64_t hash = 0;
  };
  static Slot &find(std::vector<Slot> &slots, std::string_view v, std::uint64_t h) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h ^ (h >> 29)) & mask;; i = (i + 1) & mask)
      if (slots[i].view.empty() || (slots[i].hash == h && slots[i].view == v))
        return slots[i];
  }
  void grow() {
    std::vector<Slot> bigger(slots_.size() * 2);
    for (const Slot &slot : slots_)
      if (!slot.view.empty())
        find(bigger, slot.view, slot.hash) = slot;
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// The distinct tokens of `text` in first-seen order: runs of ASCII letters and digits and of
// bytes >= 0x80, ASCII letters lower-cased. One pass lower-cases the text in place, finds the
// tokens and hashes them (FNV-1a); the set of those seen refers into the lowered text.
std::vector<std::string> tokens_of(std::string lowered) {
  // 0: not a token byte; otherwise the byte as a token holds it (ASCII letters lower-cased).
  static constexpr auto token_byte = [] {
    std::array<unsigned char, 256> table{};
    for (int c = 0; c < 256; ++c)
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80)
        table[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c);
      else if (c >= 'A' && c <= 'Z')
        table[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c - 'A' + 'a');
    return table;
  }();
  ViewSet seen(lowered.size() / 24 + 8);
  std::vector<std::string> tokens;
  char *const text = lowered.data();
  const std::size_t size = lowered.size();
  std::size_t i = 0;
  while (i < size) {
    while (i < size && !token_byte[static_cast<unsigned char>(text[i])])
      ++i;
    const std::size_t start = i;
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c; i < size && (c = token_byte[static_cast<unsigned char>(text[i])]); ++i) {
      text[i] = static_cast<char>(c);
      h = (h ^ c) * 1099511628211ull;
    }
    const std::string_view token(text + start, i - start);
    if (!token.empty() && seen.insert(token, h))
      tokens.emplace_back(token);
  }
  return tokens;
}

} // namespace

std::vector<std::string> distinct_tokens(std::string_view text) {
  return tokens_of(std::string(text));
}

} // namespace leanspec::detail
