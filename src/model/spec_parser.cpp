// Implements parse_spec() of include/leanspec/spec.hpp: README.md frontmatter (yaml-cpp, every
// scalar kept as text) and body, sub-spec files, and the per-spec diagnostics.
#include "model/spec_parser.hpp"

#include "model/frontmatter.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace leanspec {
namespace detail {
namespace {

constexpr int max_yaml_depth = 64;

class Reader {
public:
  Reader(Spec &spec, std::string file, int yaml_line)
      : spec_(spec), file_(std::move(file)), yaml_line_(yaml_line) {}

  void report(Diagnostic::Severity severity, int line, std::string code, std::string message) {
    spec_.diagnostics.push_back({severity, spec_.id, file_, line, std::move(code), std::move(message)});
  }
  void warn(const YAML::Node &node, std::string code, std::string message) {
    report(Diagnostic::Severity::warning, line(node), std::move(code), std::move(message));
  }
  void error(const YAML::Node &node, std::string code, std::string message) {
    report(Diagnostic::Severity::error, line(node), std::move(code), std::move(message));
  }
  int line(const YAML::Node &node) const {
    const int l = node.Mark().line;
    return l >= 0 ? yaml_line_ + l : yaml_line_;
  }

  Value to_value(const YAML::Node &node, int depth) {
    Value v;
    if (depth > max_yaml_depth) {
      error(node, "yaml-too-deep", "frontmatter nests deeper than " + std::to_string(max_yaml_depth) + " levels");
      return v;
    }
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
      v.kind = Value::Kind::scalar;
      v.text = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::sequence;
      for (const auto &item : node)
        v.items.push_back(to_value(item, depth + 1));
      break;
    case YAML::NodeType::Map: {
      v.kind = Value::Kind::mapping;
      std::set<std::string> seen;
      for (const auto &entry : node) {
        std::string key = entry.first.IsScalar() ? entry.first.Scalar() : YAML::Dump(entry.first);
        if (!seen.insert(key).second)
          warn(entry.first, "duplicate-key", "key '" + key + "' appears more than once");
        v.fields.emplace_back(std::move(key), to_value(entry.second, depth + 1));
      }
      break;
    }
    default:
      break;
    }
    return v;
  }

  // A scalar field as text; wrong shapes are reported and give "".
  std::string text(const YAML::Node &node, std::string_view key) {
    if (node.IsNull())
      return {};
    if (node.IsScalar())
      return node.Scalar();
    error(node, "wrong-type", std::string(key) + " should be a single value, not a " + shape(node));
    return {};
  }

  // A list of strings from a block or flow sequence, or a comma-separated scalar.
  std::vector<std::string> list(const YAML::Node &node, std::string_view key) {
    std::vector<std::string> out;
    if (node.IsNull())
      return out;
    if (node.IsScalar()) {
      if (node.Tag() == "?" && looks_like_number(node.Scalar()))
        warn(node, "wrong-type", std::string(key) + " should be a list of names, not the number " + node.Scalar());
      split_commas(node.Scalar(), out);
      return out;
    }
    if (node.IsSequence()) {
      for (const auto &item : node) {
        if (item.IsScalar())
          out.push_back(trim(item.Scalar()));
        else if (!item.IsNull())
          error(item, "wrong-type", std::string(key) + " items should be names, not a " + shape(item));
      }
      out.erase(std::remove(out.begin(), out.end(), std::string{}), out.end());
      return out;
    }
    error(node, "wrong-type", std::string(key) + " should be a list, not a " + shape(node));
    return out;
  }

  void date(const YAML::Node &node, std::string_view key, std::string &out) {
    out = text(node, key);
    if (!out.empty() && !parse_timestamp(out))
      warn(node, "invalid-date", std::string(key) + " '" + out + "' is not a date (YYYY-MM-DD or ISO 8601)");
  }

  static std::string shape(const YAML::Node &node) {
    return node.IsMap() ? "mapping" : node.IsSequence() ? "list" : "value";
  }
  static bool looks_like_number(const std::string &s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
  }
  static std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
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
  int yaml_line_;
};

void read_fields(Reader &r, Spec &spec, const YAML::Node &root) {
  for (const auto &entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string{};
    const YAML::Node &node = entry.second;
    if (key == "status") {
      const std::string value = r.text(node, key);
      if (value.empty())
        r.warn(node, "missing-status", "status is empty; planned is assumed");
      else if (auto status = parse_status(value))
        spec.status = *status;
      else
        r.error(node, "invalid-status",
                "status '" + value + "' is not one of draft, planned, in-progress, complete, archived");
    } else if (key == "priority") {
      const std::string value = r.text(node, key);
      if (auto priority = parse_priority(value))
        spec.priority = priority;
      else if (!value.empty())
        r.error(node, "invalid-priority", "priority '" + value + "' is not one of low, medium, high, critical");
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
      if (node.IsNull())
        continue;
      if (!node.IsSequence()) {
        r.error(node, "wrong-type", "transitions should be a list of {status, at} entries");
        continue;
      }
      for (const auto &item : node) {
        if (!item.IsMap()) {
          r.warn(item, "stray-transition", "transitions item is not a {status, at} entry");
          continue;
        }
        const YAML::Node status = item["status"], at = item["at"];
        std::optional<Status> parsed = status && status.IsScalar() ? parse_status(status.Scalar()) : std::nullopt;
        if (!parsed || !at || !at.IsScalar()) {
          r.warn(item, "stray-transition",
                 parsed ? "transitions item has no 'at' time" : "transitions item has no valid status");
          continue;
        }
        if (item.size() > 2)
          r.warn(item, "stray-transition", "transitions item has keys other than status and at");
        spec.transitions.push_back({*parsed, at.Scalar()});
      }
    } else {
      continue; // kept as a custom field below
    }
  }
}

bool is_known_field(std::string_view key) {
  static constexpr std::string_view known[] = {
      "status", "priority", "tags", "created", "created_at", "updated_at", "completed_at",
      "completed", "assignee", "depends_on", "related", "parent", "transitions"};
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
    spec.diagnostics.push_back({Diagnostic::Severity::warning, spec.id, file, line, std::move(code), std::move(message)});
  };
  const std::string status{to_string(spec.status)};
  if (!spec.transitions.empty() && spec.transitions.back().status != spec.status)
    add(fm_line, "transition-mismatch",
        "last transition is " + std::string(to_string(spec.transitions.back().status)) +
            " but status is " + status);
  if (spec.status == Status::complete && spec.completed.empty() && spec.completed_at.empty())
    add(fm_line, "missing-completion-date", "status is complete but neither completed nor completed_at is set");
  if (auto claimed = body_status(spec.body, spec.body_line); claimed && claimed->first != spec.status)
    add(claimed->second, "body-status-mismatch",
        "the body says status " + std::string(to_string(claimed->first)) + " but the frontmatter says " + status);
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

// Normalizes bytes into text: NUL bytes mean binary (nullopt); invalid UTF-8 is replaced.
std::optional<std::string> to_text(Spec &spec, const std::string &file, const std::string &raw) {
  auto add = [&](int line, std::string code, std::string message) {
    spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, line, std::move(code), std::move(message)});
  };
  if (raw.find('\0') != std::string::npos) {
    add(0, "binary-file", "file contains NUL bytes; it is not read as Markdown");
    return std::nullopt;
  }
  std::string text = normalize_text(raw);
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string::npos) {
    add(line_of(text, bad), "invalid-utf8", "invalid UTF-8 at byte " + std::to_string(bad) + "; replaced with U+FFFD");
    text = sanitize_utf8(text);
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

Spec parse_spec_files(std::string_view path, const std::optional<std::string> &readme,
                      std::vector<std::pair<std::string, std::string>> sub_files,
                      std::vector<Diagnostic> file_diagnostics) {
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
  const std::string file = spec.path + "/README.md";

  if (!readme) {
    if (spec.diagnostics.empty())
      spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, spec.path, 0, "missing-readme",
                                  "spec folder has no README.md"});
  } else {
    spec.content_hash = git_blob_sha1(*readme);
    if (readme->empty())
      spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, 0, "empty-readme", "README.md is empty"});
    if (auto text = to_text(spec, file, *readme)) {
      const FrontmatterSplit split = split_frontmatter(*text);
      spec.body = std::string(split.body);
      spec.body_line = split.body_line;
      Reader reader(spec, file, split.yaml_line);
      if (!split.found) {
        if (!readme->empty())
          spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, 1, "missing-frontmatter",
                                      "README.md has no frontmatter (a --- block at the top)"});
      } else if (!split.closed) {
        spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, split.yaml_line - 1,
                                    "unclosed-frontmatter", "frontmatter opened with --- is never closed"});
      } else {
        try {
          const YAML::Node root = YAML::Load(std::string(split.yaml));
          if (root.IsMap()) {
            spec.frontmatter = reader.to_value(root, 0);
            read_fields(reader, spec, root);
            for (const auto &[key, value] : spec.frontmatter.fields)
              if (!is_known_field(key))
                spec.custom_fields.emplace_back(key, value);
          } else if (!root.IsNull()) {
            reader.error(root, "frontmatter-not-mapping",
                         "frontmatter is a " + Reader::shape(root) + ", not a mapping of fields");
          }
        } catch (const YAML::Exception &e) {
          const int line = e.mark.line >= 0 ? split.yaml_line + e.mark.line : split.yaml_line;
          spec.diagnostics.push_back({Diagnostic::Severity::error, spec.id, file, line, "yaml-syntax",
                                      "broken YAML: " + e.msg});
        }
      }
      if (spec.frontmatter.find("status") == nullptr && split.closed)
        spec.diagnostics.push_back({Diagnostic::Severity::warning, spec.id, file, split.yaml_line,
                                    "missing-status", "frontmatter has no status; planned is assumed"});
      spec.title = first_heading(spec.body);
      check_status_consistency(spec, file, split.yaml_line);
    }
  }
  if (spec.archived)
    spec.status = Status::archived;
  spec.archived = spec.archived || spec.status == Status::archived;
  if (spec.title.empty())
    spec.title = spec.id;

  std::sort(sub_files.begin(), sub_files.end());
  for (auto &[name, bytes] : sub_files) {
    SubSpec sub;
    sub.file = name;
    sub.content_hash = git_blob_sha1(bytes);
    if (auto text = to_text(spec, spec.path + "/" + name, bytes))
      sub.content = std::move(*text);
    sub.name = display_name(name, sub.content);
    spec.sub_specs.push_back(std::move(sub));
  }
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
  return detail::parse_spec_files(path, readme, std::move(sub_files), {});
}

} // namespace leanspec
