// Implements parse_spec() of include/leanspec/spec.hpp: README.md frontmatter (yaml-cpp, every
// scalar kept as text) and body, sub-spec files, and the per-spec diagnostics.
#include "model/spec_parser.hpp"

#include "model/frontmatter.hpp"
#include "model/frontmatter_cache.hpp"
#include "model/yaml.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace leanspec {
namespace detail {
namespace {

class Reader {
public:
  Reader(Spec &spec, std::string file) : spec_(spec), file_(std::move(file)) {}

  void report(Diagnostic::Severity severity, int line, std::string code, std::string message) {
    spec_.diagnostics.push_back(
        {severity, spec_.id, file_, line, std::move(code), std::move(message)});
  }
  void warn(const Value &v, std::string code, std::string message) {
    report(Diagnostic::Severity::warning, v.line, std::move(code), std::move(message));
  }
  void error(const Value &v, std::string code, std::string message) {
    report(Diagnostic::Severity::error, v.line, std::move(code), std::move(message));
  }

  // A scalar field as text; wrong shapes are reported and give "".
  std::string text(const Value &v, std::string_view key) {
    if (v.is_null())
      return {};
    if (v.is_scalar())
      return v.text;
    error(v, "wrong-type", std::string(key) + " should be a single value, not a " + shape(v));
    return {};
  }

  // A list of strings from a block or flow sequence, or a comma-separated scalar.
  std::vector<std::string> list(const Value &v, std::string_view key) {
    std::vector<std::string> out;
    if (v.is_null())
      return out;
    if (v.is_scalar()) {
      if (!v.quoted && looks_like_number(v.text))
        warn(v, "wrong-type",
             std::string(key) + " should be a list of names, not the number " + v.text);
      split_commas(v.text, out);
      return out;
    }
    if (v.kind == Value::Kind::sequence) {
      for (const auto &item : v.items) {
        if (item.is_scalar())
          out.push_back(trim(item.text));
        else if (!item.is_null())
          error(item, "wrong-type",
                std::string(key) + " items should be names, not a " + shape(item));
      }
      out.erase(std::remove(out.begin(), out.end(), std::string{}), out.end());
      return out;
    }
    error(v, "wrong-type", std::string(key) + " should be a list, not a " + shape(v));
    return out;
  }

  // A date field: its text when it is a date; else "" (no date) and a warning naming the field
  // (the text as written stays in the frontmatter).
  void date(const Value &v, std::string_view key, std::string &out) {
    out = text(v, key);
    if (!out.empty() && !parse_timestamp(out)) {
      warn(v, "invalid-date",
           std::string(key) + " '" + out + "' is not a date (YYYY-MM-DD or ISO 8601); ignored");
      out.clear();
    }
  }

  static std::string shape(const Value &v) {
    return v.kind == Value::Kind::mapping    ? "mapping"
           : v.kind == Value::Kind::sequence ? "list"
                                             : "value";
  }
  static bool looks_like_number(const std::string &s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
  }
  static std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return std::string(s);
  }
  static void split_commas(std::string_view s, std::vector<std::string> &out) {
    while (!s.empty()) {
      const std::size_t comma = std::min(s.find(','), s.size());
      std::string item = trim(s.substr(0, comma));
      if (!item.empty())
        out.push_back(std::move(item));
      s.remove_prefix(std::min(comma + 1, s.size()));
    }
  }

private:
  Spec &spec_;
  std::string file_;
};

void read_fields(Reader &r, Spec &spec, const Value &root) {
  for (const auto &[key, node] : root.fields) {
    if (key == "status") {
      const std::string value = r.text(node, key);
      if (value.empty())
        r.warn(node, "missing-status", "status is empty; planned is assumed");
      else if (auto status = parse_status(value))
        spec.status = *status;
      else
        r.error(node, "invalid-status",
                "status '" + value +
                    "' is not one of draft, planned, in-progress, complete, archived");
    } else if (key == "priority") {
      const std::string value = r.text(node, key);
      if (auto priority = parse_priority(value))
        spec.priority = priority;
      else if (!value.empty())
        r.error(node, "invalid-priority",
                "priority '" + value + "' is not one of low, medium, high, critical");
    } else if (key == "tags") {
      spec.tags = r.list(node, key);
    } else if (key == "created") {
      r.date(node, key, spec.created);
    } else if (key == "created_at") {
      r.date(node, key, spec.created_at);
    } else if (key == "updated_at") {
      r.date(node, key, spec.updated_at);
    } else if (key == "completed_at") {
      r.date(node, key, spec.completed_at);
    } else if (key == "completed") {
      r.date(node, key, spec.completed);
    } else if (key == "assignee") {
      spec.assignee = r.text(node, key);
    } else if (key == "depends_on") {
      spec.depends_on = r.list(node, key);
    } else if (key == "related") {
      spec.related = r.list(node, key);
    } else if (key == "parent") {
      spec.parent = Reader::trim(r.text(node, key));
    } else if (key == "transitions") {
      if (node.is_null())
        continue;
      if (node.kind != Value::Kind::sequence) {
        r.error(node, "wrong-type", "transitions should be a list of {status, at} entries");
        continue;
      }
      for (const auto &item : node.items) {
        if (item.kind != Value::Kind::mapping) {
          r.warn(item, "stray-transition", "transitions item is not a {status, at} entry");
          continue;
        }
        const Value *status = item.find("status"), *at = item.find("at");
        std::optional<Status> parsed =
            status && status->is_scalar() ? parse_status(status->text) : std::nullopt;
        if (!parsed || !at || !at->is_scalar()) {
          r.warn(item, "stray-transition",
                 parsed ? "transitions item has no 'at' time"
                        : "transitions item has no valid status");
          continue;
        }
        if (item.fields.size() > 2)
          r.warn(item, "stray-transition", "transitions item has keys other than status and at");
        std::string time;
        r.date(*at, "transitions at", time);
        spec.transitions.push_back({*parsed, std::move(time)});
      }
    }
  }
  // created_at and completed_at mean when the spec was created and completed: the key of that
  // name, else the older `created` / `completed` (docs/GLOSSARY.md), as JSON's createdAt.
  if (spec.created_at.empty())
    spec.created_at = spec.created;
  if (spec.completed_at.empty())
    spec.completed_at = spec.completed;
}

// Moves every line of a tree parsed from the frontmatter text to its line in the file.
void shift_lines(Value &v, int offset) {
  v.line += offset;
  for (auto &item : v.items)
    shift_lines(item, offset);
  for (auto &[key, item] : v.fields)
    shift_lines(item, offset);
}

bool is_known_field(std::string_view key) {
  static constexpr std::string_view known[] = {
      "status",    "priority", "tags",       "created", "created_at", "updated_at", "completed_at",
      "completed", "assignee", "depends_on", "related", "parent",     "transitions"};
  return std::find(std::begin(known), std::end(known), key) != std::end(known);
}

// The status a body line `> **Status**: ✅ Complete · ...` claims, if any.
std::optional<std::pair<Status, int>> body_status(std::string_view body, int body_line) {
  std::size_t pos = 0;
  int line = body_line;
  while (pos < body.size()) {
    const std::size_t end = std::min(body.find('\n', pos), body.size());
    std::string_view l = body.substr(pos, end - pos);
    const std::size_t marker = l.find("**Status**:");
    if (l.starts_with(">") && marker != std::string_view::npos) {
      l.remove_prefix(marker + 11);
      const std::size_t stop = std::min({l.find("\xC2\xB7"), l.find('|'), l.find("**"), l.size()});
      l = l.substr(0, stop);
      // Skip emoji and punctuation before the word.
      while (!l.empty() && !std::isalpha(static_cast<unsigned char>(l.front())))
        l.remove_prefix(1);
      if (auto status = parse_status(l))
        return std::make_pair(*status, line);
      return std::nullopt;
    }
    pos = end + 1;
    ++line;
  }
  return std::nullopt;
}

void check_status_consistency(Spec &spec, const std::string &file, int fm_line) {
  auto add = [&](int line, std::string code, std::string message) {
    spec.diagnostics.push_back(
        {Diagnostic::Severity::warning, spec.id, file, line, std::move(code), std::move(message)});
  };
  const std::string status{to_string(spec.status)};
  if (!spec.transitions.empty() && spec.transitions.back().status != spec.status)
    add(fm_line, "transition-mismatch",
        "last transition is " + std::string(to_string(spec.transitions.back().status)) +
            " but status is " + status);
  if (spec.status == Status::complete && spec.completed.empty() && spec.completed_at.empty())
    add(fm_line, "missing-completion-date",
        "status is complete but neither completed nor completed_at is set");
  if (auto claimed = body_status(spec.body, spec.body_line);
      claimed && claimed->first != spec.status)
    add(claimed->second, "body-status-mismatch",
        "the body says status " + std::string(to_string(claimed->first)) +
            " but the frontmatter says " + status);
}

std::string display_name(const std::string &file, std::string_view content) {
  std::string heading = first_heading(content);
  if (!heading.empty())
    return heading;
  std::string stem = file.substr(0, file.rfind('.'));
  bool start = true;
  for (char &c : stem) {
    if (c == '-' || c == '_') {
      c = ' ';
      start = true;
    } else {
      c = static_cast<char>(start ? std::toupper(static_cast<unsigned char>(c))
                                  : std::tolower(static_cast<unsigned char>(c)));
      start = false;
    }
  }
  return stem;
}

// Normalizes bytes into text: NUL bytes mean binary (nullopt); a BOM and CRs are removed and
// invalid UTF-8 is replaced, in a copy kept in `storage`. The common case (none of these) is
// the bytes themselves, not copied.
std::optional<std::string_view> to_text(Spec &spec, const std::string &file, std::string_view raw,
                                        std::string &storage) {
  auto add = [&](int line, std::string code, std::string message) {
    spec.diagnostics.push_back(
        {Diagnostic::Severity::error, spec.id, file, line, std::move(code), std::move(message)});
  };
  if (raw.find('\0') != std::string_view::npos) {
    add(0, "binary-file", "file contains NUL bytes; it is not read as Markdown");
    return std::nullopt;
  }
  std::string_view text = raw;
  if (raw.starts_with("\xEF\xBB\xBF") || raw.find('\r') != std::string_view::npos)
    text = storage = normalize_text(raw);
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    add(line_of(text, bad), "invalid-utf8",
        "invalid UTF-8 at byte " + std::to_string(bad) + "; replaced with U+FFFD");
    text = storage = sanitize_utf8(text);
  }
  return text;
}

} // namespace

std::string first_heading(std::string_view markdown) {
  std::size_t pos = 0;
  char fence = 0;
  std::size_t fence_len = 0;
  while (pos < markdown.size()) {
    const std::size_t end = std::min(markdown.find('\n', pos), markdown.size());
    std::string_view line = markdown.substr(pos, end - pos);
    pos = end + 1;
    std::size_t indent = 0;
    while (indent < line.size() && indent < 4 && line[indent] == ' ')
      ++indent;
    if (indent > 3)
      continue;
    const std::string_view rest = line.substr(indent);
    if (!rest.empty() && (rest[0] == '`' || rest[0] == '~')) {
      std::size_t n = 0;
      while (n < rest.size() && rest[n] == rest[0])
        ++n;
      if (n >= 3) {
        if (!fence) {
          fence = rest[0];
          fence_len = n;
        } else if (rest[0] == fence && n >= fence_len &&
                   rest.find_first_not_of(" \t", n) == std::string_view::npos) {
          fence = 0;
        }
        continue;
      }
    }
    if (fence || !rest.starts_with("# "))
      continue;
    std::string_view title = rest.substr(2);
    while (!title.empty() && (title.back() == '#' || title.back() == ' ' || title.back() == '\t'))
      title.remove_suffix(1);
    while (!title.empty() && (title.front() == ' ' || title.front() == '\t'))
      title.remove_prefix(1);
    if (!title.empty())
      return std::string(title);
  }
  return {};
}

namespace {

// Reads a closed frontmatter block into `spec`: its YAML (from `cache` when given), the known
// fields and the custom ones.
void read_frontmatter(Spec &spec, Reader &reader, const FrontmatterSplit &split,
                      const std::string &file, FrontmatterCache *cache) {
  // A document from the cache is shared and copied; a fresh one is this spec's alone.
  YamlDocument parsed;
  std::shared_ptr<const YamlDocument> cached;
  if (cache)
    cached = cache->parse(split.yaml);
  else
    parsed = parse_yaml(split.yaml);
  for (const auto &p : cached ? cached->problems : parsed.problems)
    spec.diagnostics.push_back(
        {p.severity, spec.id, file, split.yaml_line + p.line, p.code, p.message});
  Value root = cached ? cached->root : std::move(parsed.root);
  shift_lines(root, split.yaml_line);
  if (root.kind == Value::Kind::mapping) {
    read_fields(reader, spec, root);
    for (const auto &[key, value] : root.fields)
      if (!is_known_field(key))
        spec.custom_fields.push_back({key, value});
    spec.frontmatter = std::move(root);
  } else if (!root.is_null()) {
    reader.error(root, "frontmatter-not-mapping",
                 "frontmatter is a " + Reader::shape(root) + ", not a mapping of fields");
  }
}

// Reads README.md's bytes into `spec`: content hash, frontmatter, body and title.
void read_readme(Spec &spec, std::string_view readme, FrontmatterCache *cache) {
  const std::string file = spec.path + "/README.md";
  spec.content_hash = git_blob_sha1(readme);
  const bool empty_readme = readme.empty();
  if (empty_readme)
    spec.diagnostics.push_back(
        {Diagnostic::Severity::error, spec.id, file, 0, "empty-readme", "README.md is empty"});
  std::string storage;
  const auto text = to_text(spec, file, readme, storage);
  if (!text)
    return;
  const FrontmatterSplit split = split_frontmatter(*text);
  spec.body_line = split.body_line;
  Reader reader(spec, file);
  if (!split.found) {
    if (!empty_readme)
      spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, 1,
                                  "missing-frontmatter",
                                  "README.md has no frontmatter (a --- block at the top)"});
  } else if (!split.closed) {
    spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, split.yaml_line - 1,
                                "unclosed-frontmatter",
                                "frontmatter opened with --- is never closed"});
  } else {
    read_frontmatter(spec, reader, split, file, cache);
  }
  spec.body = split.body;
  if (spec.frontmatter.kind == Value::Kind::mapping && spec.frontmatter.find("status") == nullptr)
    spec.diagnostics.push_back({Diagnostic::Severity::warning, spec.id, file, split.yaml_line,
                                "missing-status", "frontmatter has no status; planned is assumed"});
  spec.title = first_heading(spec.body);
  check_status_consistency(spec, file, split.yaml_line);
}

// Adds the sub-spec files to `spec`, by name.
void read_sub_specs(Spec &spec, std::vector<std::pair<std::string, std::string>> sub_files) {
  std::sort(sub_files.begin(), sub_files.end());
  for (auto &[name, bytes] : sub_files) {
    SubSpec sub;
    sub.file = name;
    sub.content_hash = git_blob_sha1(bytes); // before the bytes move into the content
    std::string storage;
    if (const auto text = to_text(spec, spec.path + "/" + name, bytes, storage))
      sub.content = text->data() == bytes.data() ? std::move(bytes) : std::move(storage);
    sub.name = display_name(name, sub.content);
    spec.sub_specs.push_back(std::move(sub));
  }
}

} // namespace

Spec parse_spec_files(std::string_view path, std::optional<std::string_view> readme,
                      std::vector<std::pair<std::string, std::string>> sub_files,
                      std::vector<Diagnostic> file_diagnostics, FrontmatterCache *cache) {
  Spec spec;
  spec.path = std::string(path);
  const std::size_t slash = spec.path.rfind('/');
  spec.id = slash == std::string::npos ? spec.path : spec.path.substr(slash + 1);
  const auto [number, slug] = split_spec_id(spec.id);
  spec.number_text = std::string(number);
  spec.slug = std::string(number.empty() ? std::string_view(spec.id) : slug);
  if (!number.empty() && number.size() < 9)
    spec.number = std::stoi(spec.number_text);
  spec.archived = spec.path.starts_with("archived/");
  spec.diagnostics = std::move(file_diagnostics);
  for (auto &d : spec.diagnostics)
    d.spec_id = spec.id;

  if (readme)
    read_readme(spec, *readme, cache);
  else if (spec.diagnostics.empty())
    spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, spec.path, 0,
                                "missing-readme", "spec folder has no README.md"});
  if (spec.archived)
    spec.status = Status::archived;
  spec.archived = spec.archived || spec.status == Status::archived;
  if (spec.title.empty())
    spec.title = spec.id;
  read_sub_specs(spec, std::move(sub_files));
  return spec;
}

} // namespace detail

std::pair<std::string_view, std::string_view> split_spec_id(std::string_view id) noexcept {
  std::size_t n = 0;
  while (n < id.size() && std::isdigit(static_cast<unsigned char>(id[n])))
    ++n;
  if (n == 0 || n >= id.size() || id[n] != '-' || n + 1 == id.size())
    return {{}, id};
  return {id.substr(0, n), id.substr(n + 1)};
}

Spec parse_spec(std::string_view path, const std::optional<std::string> &readme,
                std::vector<std::pair<std::string, std::string>> sub_files) {
  return detail::parse_spec_files(path,
                                  readme ? std::optional<std::string_view>(*readme) : std::nullopt,
                                  std::move(sub_files), {}, nullptr);
}

} // namespace leanspec
