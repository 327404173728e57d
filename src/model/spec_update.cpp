// Implements include/leanspec/spec_update.hpp. The frontmatter is read with yaml-cpp's event
// parser, whose marks give where each top-level key, value and list item starts in the raw
// text; every edit is a splice of the raw bytes at those places (a value replaced, a list item
// line removed or added after the last one, a key line appended before the closing `---`),
// so the rest of the file is never re-emitted. The body's task-list items come from cmark-gfm.
#include "model/markdown.hpp"
#include "model/timestamp_text.hpp"

#include <algorithm>
#include <cmark-gfm-core-extensions.h>
#include <ctime>
#include <istream>
#include <leanspec/error.hpp>
#include <leanspec/spec_update.hpp>
#include <streambuf>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace leanspec {
namespace {

using npos_t = std::string_view::size_type;
constexpr auto npos = std::string_view::npos;

[[noreturn]] void invalid(const std::string &message) {
  throw Error(ErrorCode::invalid_argument, message);
}

// --- the raw file: lines, frontmatter bounds ------------------------------------------------

npos_t line_begin(std::string_view text, npos_t pos) {
  const auto nl = pos == 0 ? npos : text.rfind('\n', pos - 1);
  return nl == npos ? 0 : nl + 1;
}
npos_t line_end(std::string_view text, npos_t pos) { // after the line's '\n' (or text's end)
  const auto nl = text.find('\n', pos);
  return nl == npos ? text.size() : nl + 1;
}
std::string_view content_of(std::string_view line) { // the line without its line break
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  return line;
}
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}
bool blank_or_comment(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  return first == npos || line[first] == '#';
}

struct Layout {
  bool frontmatter = false;
  npos_t yaml_begin = 0; ///< first byte of the first YAML line
  npos_t yaml_end = 0;   ///< first byte of the closing delimiter line
  npos_t body_begin = 0; ///< after the closing delimiter line
  std::string eol = "\n";
};

// As split_frontmatter (src/model/frontmatter.cpp) reads a README, on the raw bytes: a BOM and
// blank lines may come first; then `---`, the YAML lines, and `---` or `...`.
Layout layout_of(std::string_view text) {
  Layout out;
  npos_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (pos < text.size()) {
    const auto end = line_end(text, pos);
    const auto line = trim_right(content_of(text.substr(pos, end - pos)));
    if (!line.empty()) {
      if (line != "---")
        return out;
      if (text.substr(0, end).ends_with("\r\n"))
        out.eol = "\r\n";
      out.yaml_begin = end;
      break;
    }
    pos = end;
  }
  for (pos = out.yaml_begin; pos < text.size() && out.yaml_begin > 0;) {
    const auto end = line_end(text, pos);
    const auto line = trim_right(content_of(text.substr(pos, end - pos)));
    if (line == "---" || line == "...") {
      out.frontmatter = true;
      out.yaml_end = pos;
      out.body_begin = end;
      return out;
    }
    pos = end;
  }
  return out;
}

// --- the frontmatter's top-level keys, from yaml-cpp's events -------------------------------

struct Item {
  npos_t pos = 0; ///< where the item's value starts (offset in the file)
  bool scalar = false;
  std::string text;
};

struct Entry {
  enum class Kind { null, scalar, sequence, mapping } kind = Kind::null;
  std::string key;
  npos_t key_pos = 0;
  npos_t value_pos = 0;
  bool flow = false;
  std::string text;
  std::vector<Item> items;
  npos_t region_end = 0; ///< where the next key's line starts, or the YAML's end
};

class ViewBuffer : public std::streambuf {
public:
  explicit ViewBuffer(std::string_view text) {
    char *begin = const_cast<char *>(text.data()); // read-only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

class Collector : public YAML::EventHandler {
public:
  Collector(std::vector<Entry> &entries, npos_t offset) : entries_(entries), offset_(offset) {}

  void OnDocumentStart(const YAML::Mark &) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &mark, YAML::anchor_t) override {
    value(mark, Entry::Kind::null, false, {});
  }
  void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override {
    value(mark, Entry::Kind::mapping, false, {}); // an alias is not text an edit can keep
  }
  void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                const std::string &text) override {
    if (depth_ == 0)
      invalid("frontmatter: not a mapping of keys to values");
    if (depth_ == 1 && expect_key_) {
      Entry entry;
      entry.key = text;
      entry.key_pos = offset_ + static_cast<npos_t>(mark.pos);
      entries_.push_back(std::move(entry));
      expect_key_ = false;
      return;
    }
    value(mark, Entry::Kind::scalar, false, text);
  }
  void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value style) override {
    open(mark, Entry::Kind::sequence, style == YAML::EmitterStyle::Flow);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value style) override {
    if (depth_ == 0) {
      depth_ = 1;
      return;
    }
    open(mark, Entry::Kind::mapping, style == YAML::EmitterStyle::Flow);
  }
  void OnMapEnd() override { --depth_; }

private:
  void open(const YAML::Mark &mark, Entry::Kind kind, bool flow) {
    if (depth_ == 0)
      invalid("frontmatter: not a mapping of keys to values");
    value(mark, kind, flow, {});
    ++depth_;
  }
  // A value at depth 1 is the last key's; at depth 2 inside a sequence value, one of its items.
  void value(const YAML::Mark &mark, Entry::Kind kind, bool flow, const std::string &text) {
    const npos_t pos = offset_ + static_cast<npos_t>(std::max(mark.pos, 0));
    if (depth_ == 1) {
      if (expect_key_)
        invalid("frontmatter: a key that is not text, near byte " + std::to_string(pos));
      Entry &entry = entries_.back();
      entry.kind = kind;
      entry.value_pos = pos;
      entry.flow = flow;
      entry.text = text;
      expect_key_ = true;
    } else if (depth_ == 2 && !entries_.empty() && entries_.back().kind == Entry::Kind::sequence) {
      entries_.back().items.push_back({pos, kind == Entry::Kind::scalar, text});
    }
  }

  std::vector<Entry> &entries_;
  npos_t offset_;
  int depth_ = 0;
  bool expect_key_ = true;
};

std::vector<Entry> read_entries(std::string_view text, const Layout &layout) {
  std::vector<Entry> entries;
  const auto yaml = text.substr(layout.yaml_begin, layout.yaml_end - layout.yaml_begin);
  ViewBuffer buffer(yaml);
  std::istream in(&buffer);
  try {
    YAML::Parser parser(in);
    Collector collector(entries, layout.yaml_begin);
    parser.HandleNextDocument(collector);
  } catch (const YAML::Exception &e) {
    invalid("frontmatter: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].region_end =
        i + 1 < entries.size() ? line_begin(text, entries[i + 1].key_pos) : layout.yaml_end;
  }
  return entries;
}

// Where an entry's own lines end: after its last line that is neither blank nor only a comment
// (a comment before the next key belongs to that key).
npos_t content_end(std::string_view text, const Entry &entry) {
  npos_t end = line_end(text, entry.key_pos);
  for (npos_t pos = end; pos < entry.region_end;) {
    const auto next = line_end(text, pos);
    if (!blank_or_comment(content_of(text.substr(pos, next - pos))))
      end = next;
    pos = next;
  }
  return end;
}

// The same, before that last line's line break.
npos_t content_end_in_line(std::string_view text, const Entry &entry) {
  const auto end = content_end(text, entry);
  const auto begin = line_begin(text, end - 1);
  return begin + content_of(text.substr(begin, end - begin)).size();
}

// Where 1-based line `line` starts, or npos past the text.
npos_t line_start(std::string_view text, int line) {
  npos_t pos = 0;
  for (int l = 1; l < line && pos != npos; ++l) {
    const auto nl = text.find('\n', pos);
    pos = nl == npos ? npos : nl + 1;
  }
  return pos;
}

// --- values ----------------------------------------------------------------------------------

// The bytes a scalar's value takes, from where it starts: a quoted scalar to its closing quote,
// a plain one to its line's end without a comment (and its continuation lines, if any).
npos_t scalar_end(std::string_view text, const Entry &entry, npos_t pos) {
  const char quote = text[pos];
  if (quote == '\'' || quote == '"') {
    for (npos_t i = pos + 1; i < entry.region_end; ++i) {
      if (quote == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'')
          ++i;
        else
          return i + 1;
      }
    }
    invalid("frontmatter: field '" + entry.key + "' has an unclosed quote");
  }
  if (quote == '|' || quote == '>')
    return content_end_in_line(text, entry);
  // plain: the rest of the line up to " #", then any continuation lines of the entry
  const auto last_line = line_begin(text, content_end(text, entry) - 1);
  const auto from = std::max(pos, last_line);
  auto line = content_of(text.substr(from, line_end(text, from) - from));
  if (const auto comment = line.find(" #"); comment != npos)
    line = line.substr(0, comment);
  return from + trim_right(line).size();
}

bool plain_safe(std::string_view value, bool in_flow) {
  if (value.empty() || value.front() == ' ' || value.back() == ' ')
    return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(value.front()) != npos)
    return false;
  if (value.find(": ") != npos || value.find(" #") != npos || value.back() == ':')
    return false;
  if (in_flow && value.find_first_of(",[]{}") != npos)
    return false;
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char *special : {"true", "false", "null", "~", "yes", "no", "on", "off"})
    if (lower == special)
      return false;
  return true;
}

// `value` as YAML text: in `quote`'s style ('\'', '"' or 0 for plain) when that can hold it.
std::string format(std::string_view value, char quote, bool in_flow) {
  if (value.find_first_of("\r\n") != npos)
    invalid("a frontmatter value cannot hold a line break: '" + std::string(value.substr(0, 40)) +
            "'");
  if (quote == 0 && plain_safe(value, in_flow))
    return std::string(value);
  if (quote == '"' && value.find_first_of("\"\\") == npos)
    return "\"" + std::string(value) + "\"";
  std::string out = "'";
  for (const char c : value)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

char quote_at(std::string_view text, npos_t pos) {
  return pos < text.size() && (text[pos] == '\'' || text[pos] == '"') ? text[pos] : 0;
}

// --- the edit: splices of the raw text ------------------------------------------------------

struct Splice {
  npos_t begin = 0;
  npos_t end = 0;
  std::string text;
};

class Editor {
public:
  Editor(std::string_view text, const Layout &layout)
      : text_(text), layout_(layout), entries_(read_entries(text, layout)) {}

  const Entry *find(std::string_view key) const {
    for (const auto &e : entries_)
      if (e.key == key)
        return &e;
    return nullptr;
  }

  void set_text(const std::string &key, std::string_view value) {
    const Entry *e = find(key);
    if (!e) {
      append(key + ": " + format(value, 0, false) + layout_.eol);
    } else if (e->kind == Entry::Kind::scalar) {
      if (e->text != value)
        splice(e->value_pos, scalar_end(text_, *e, e->value_pos),
               format(value, quote_at(text_, e->value_pos), false));
    } else if (e->kind == Entry::Kind::null) {
      replace_value(*e, " " + format(value, 0, false));
    } else {
      invalid("frontmatter: field '" + key + "' is a " +
              (e->kind == Entry::Kind::sequence ? "list" : "mapping") + "; expected text");
    }
  }

  void remove(const std::string &key) {
    if (const Entry *e = find(key))
      splice(line_begin(text_, e->key_pos), content_end(text_, *e), {});
  }

  void edit_list(const std::string &key, const std::vector<std::string> &add,
                 const std::vector<std::string> &remove) {
    const Entry *e = find(key);
    std::vector<std::string> current;
    if (e && e->kind == Entry::Kind::scalar)
      current.push_back(e->text);
    if (e && e->kind == Entry::Kind::sequence)
      for (const auto &item : e->items)
        current.push_back(item.text);
    if (e && e->kind == Entry::Kind::mapping)
      invalid("frontmatter: field '" + key + "' is a mapping; expected a list");
    const auto has = [](const std::vector<std::string> &v, const std::string &s) {
      return std::find(v.begin(), v.end(), s) != v.end();
    };
    std::vector<std::string> added;
    for (const auto &value : add)
      if (!has(current, value) && !has(added, value) && !has(remove, value))
        added.push_back(value);
    const bool removes = std::any_of(current.begin(), current.end(),
                                     [&](const std::string &v) { return has(remove, v); });
    if (added.empty() && !removes)
      return;
    std::vector<std::string> result;
    for (const auto &value : current)
      if (!has(remove, value))
        result.push_back(value);
    result.insert(result.end(), added.begin(), added.end());

    if (!e || e->kind != Entry::Kind::sequence) { // absent, null or one scalar: a new flow list
      const std::string flow = flow_list(result, {}, 0, ", ");
      if (!e)
        append(key + ": " + flow + layout_.eol);
      else
        replace_value(*e, " " + flow);
      return;
    }
    if (e->flow) {
      edit_flow_list(*e, remove, added);
      return;
    }
    if (result.empty()) { // a block list emptied: `key: []`
      replace_value(*e, " []");
      return;
    }
    for (const auto &item : e->items) {
      if (item.scalar && has(remove, item.text))
        splice(line_begin(text_, item.pos), line_end(text_, item.pos), {});
    }
    if (!added.empty()) {
      const Item &last = e->items.back();
      const auto prefix =
          text_.substr(line_begin(text_, last.pos), last.pos - line_begin(text_, last.pos));
      const char quote = quote_at(text_, last.pos);
      std::string lines;
      for (const auto &value : added)
        lines += std::string(prefix) + format(value, quote, false) + layout_.eol;
      insert_after(*e, lines);
    }
  }

  void append_transition(std::string_view status, const std::string &at) {
    const Entry *e = find("transitions");
    if (!e || e->kind == Entry::Kind::null) {
      const std::string items =
          "- status: " + std::string(status) + layout_.eol + "  at: " + at + layout_.eol;
      if (!e)
        append("transitions:" + layout_.eol + items);
      else
        replace_value(*e, layout_.eol + items.substr(0, items.size() - layout_.eol.size()));
    } else if (e->kind == Entry::Kind::sequence && e->flow) {
      const auto close = flow_close(*e);
      splice(close, close,
             std::string(e->items.empty() ? "" : ", ") + "{status: " + std::string(status) +
                 ", at: " + at + "}");
    } else if (e->kind == Entry::Kind::sequence && !e->items.empty()) {
      const Item &last = e->items.back();
      const auto begin = line_begin(text_, last.pos);
      const auto prefix = text_.substr(begin, last.pos - begin);
      insert_after(*e, std::string(prefix) + "status: " + std::string(status) + layout_.eol +
                           std::string(prefix.size(), ' ') + "at: " + at + layout_.eol);
    } else {
      invalid("frontmatter: field 'transitions' is not a list");
    }
  }

  void body(std::string_view body) {
    if (text_.substr(layout_.body_begin) != body)
      splice(layout_.body_begin, text_.size(), std::string(body));
  }

  bool changed() const { return !splices_.empty() || !appended_.empty(); }

  std::string result() {
    if (!appended_.empty())
      splices_.push_back({layout_.yaml_end, layout_.yaml_end, appended_});
    std::stable_sort(splices_.begin(), splices_.end(),
                     [](const Splice &a, const Splice &b) { return a.begin < b.begin; });
    std::string out;
    npos_t at = 0;
    for (const auto &s : splices_) {
      if (s.begin < at)
        invalid("frontmatter: two edits overlap; change the fields one at a time");
      out.append(text_.substr(at, s.begin - at));
      out += s.text;
      at = s.end;
    }
    out.append(text_.substr(at));
    return out;
  }

private:
  void splice(npos_t begin, npos_t end, std::string text) {
    splices_.push_back({begin, end, std::move(text)});
  }
  void append(const std::string &line) { appended_ += line; }

  // Replaces what follows the key's colon, through the entry's last line (not its line break).
  void replace_value(const Entry &e, const std::string &value) {
    const auto colon = text_.find(':', e.key_pos + e.key.size());
    auto end = content_end_in_line(text_, e);
    // keep a comment on the key's own line when the value was empty there
    const auto key_line = line_begin(text_, e.key_pos);
    const auto key_line_end =
        key_line + content_of(text_.substr(key_line, line_end(text_, key_line) - key_line)).size();
    if (end == key_line_end && e.kind == Entry::Kind::null) {
      auto rest = text_.substr(colon + 1, end - colon - 1);
      if (const auto hash = rest.find('#'); hash != npos)
        end = colon + 1 + trim_right(rest.substr(0, hash)).size();
    }
    splice(colon + 1, end, value);
  }

  void insert_after(const Entry &e, std::string lines) {
    auto end = content_end(text_, e);
    if (end == text_.size() && !text_.ends_with('\n'))
      lines = layout_.eol + lines;
    splice(end, end, std::move(lines));
  }

  npos_t flow_close(const Entry &e) const {
    char quote = 0;
    for (npos_t i = e.value_pos + 1; i < e.region_end; ++i) {
      const char c = text_[i];
      if (quote) {
        if (c == quote)
          quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ']') {
        return i;
      }
    }
    invalid("frontmatter: field '" + e.key + "' has an unclosed [");
  }

  std::string flow_list(const std::vector<std::string> &values, const std::vector<std::string> &raw,
                        char quote, std::string_view separator) const {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i)
        out += separator;
      out += i < raw.size() ? raw[i] : format(values[i], quote, true);
    }
    return out + "]";
  }

  // Rewrites the inside of `[...]`: kept items as written, new ones in the first item's style.
  void edit_flow_list(const Entry &e, const std::vector<std::string> &remove,
                      const std::vector<std::string> &added) {
    const auto close = flow_close(e);
    std::vector<std::string> values;
    std::vector<std::string> raw;
    std::string_view separator = ", ";
    for (std::size_t i = 0; i < e.items.size(); ++i) {
      const Item &item = e.items[i];
      const auto end = i + 1 < e.items.size() ? text_.rfind(',', e.items[i + 1].pos) : close;
      if (i + 1 < e.items.size() && text_[end + 1] != ' ')
        separator = ",";
      if (item.scalar && std::find(remove.begin(), remove.end(), item.text) != remove.end())
        continue;
      values.push_back(item.text);
      raw.emplace_back(trim_right(text_.substr(item.pos, end - item.pos)));
    }
    values.insert(values.end(), added.begin(), added.end());
    const char quote = e.items.empty() ? 0 : quote_at(text_, e.items.front().pos);
    splice(e.value_pos, close + 1, flow_list(values, raw, quote, separator));
  }

  std::string_view text_;
  const Layout &layout_;
  std::vector<Entry> entries_;
  std::vector<Splice> splices_;
  std::string appended_;
};

bool has_dedicated_member(std::string_view key) {
  for (const char *k :
       {"status", "priority", "tags", "depends_on", "parent", "assignee", "transitions"})
    if (key == k)
      return true;
  return false;
}

void check_key(const std::string &key) {
  if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-") != npos)
    invalid("fields: '" + key + "' is not a frontmatter key (letters, digits, '_' and '-')");
  if (has_dedicated_member(key))
    invalid("fields: '" + key + "' has its own member of SpecUpdate");
}

} // namespace

std::string update_readme(std::string_view readme, const SpecUpdate &update,
                          std::chrono::system_clock::time_point now) {
  for (const auto &[key, value] : update.fields)
    check_key(key);
  std::string_view text = readme;
  std::string with_frontmatter;
  Layout layout = layout_of(readme);
  if (!layout.frontmatter) { // an empty one, kept only when an edit changes something
    const std::string eol = readme.find("\r\n") != npos ? "\r\n" : "\n";
    with_frontmatter = "---" + eol + "---" + eol + std::string(readme);
    text = with_frontmatter;
    layout = layout_of(text);
  }
  Editor editor(text, layout);
  const std::string at = detail::timestamp_text(now);

  if (update.status) {
    const Entry *e = editor.find("status");
    const auto current = e && e->kind == Entry::Kind::scalar ? parse_status(e->text) : std::nullopt;
    if (current != update.status) {
      const auto status = to_string(*update.status);
      editor.set_text("status", status);
      editor.append_transition(status, at);
      if (*update.status == Status::complete)
        editor.set_text("completed_at", at);
    }
  }
  if (update.priority) {
    const Entry *e = editor.find("priority");
    if (!(e && e->kind == Entry::Kind::scalar && parse_priority(e->text) == update.priority))
      editor.set_text("priority", to_string(*update.priority));
  }
  editor.edit_list("tags", update.tags_add, update.tags_remove);
  editor.edit_list("depends_on", update.depends_on_add, update.depends_on_remove);
  const auto text_or_remove = [&](const std::string &key, const std::optional<std::string> &v) {
    if (!v)
      return;
    if (v->empty())
      editor.remove(key);
    else
      editor.set_text(key, *v);
  };
  text_or_remove("parent", update.parent);
  text_or_remove("assignee", update.assignee);
  for (const auto &[key, value] : update.fields) {
    if (value)
      editor.set_text(key, *value);
    else
      editor.remove(key);
  }
  if (update.body)
    editor.body(*update.body);
  if (!editor.changed())
    return std::string(readme);
  editor.set_text("updated_at", at);
  return editor.result();
}

std::string slug_of(std::string_view title) {
  std::string slug;
  for (const char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80)
      slug += static_cast<char>(std::tolower(u));
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  while (!slug.empty() && slug.back() == '-')
    slug.pop_back();
  return slug;
}

std::vector<ChecklistItem> checklist_items(std::string_view readme) {
  const Layout layout = layout_of(readme);
  const npos_t body_begin = layout.frontmatter ? layout.body_begin : 0;
  const int first_line =
      1 + static_cast<int>(std::count(readme.begin(), readme.begin() + body_begin, '\n'));
  const auto doc = detail::parse_markdown(readme.substr(body_begin), CMARK_OPT_DEFAULT);
  std::vector<ChecklistItem> items;
  std::unique_ptr<cmark_iter, void (*)(cmark_iter *)> iter(cmark_iter_new(doc.root.get()),
                                                           cmark_iter_free);
  for (auto ev = cmark_iter_next(iter.get()); ev != CMARK_EVENT_DONE;
       ev = cmark_iter_next(iter.get())) {
    cmark_node *node = cmark_iter_get_node(iter.get());
    if (ev != CMARK_EVENT_ENTER || std::string_view(cmark_node_get_type_string(node)) != "tasklist")
      continue;
    ChecklistItem item;
    item.line = first_line + cmark_node_get_start_line(node) - 1;
    item.checked = cmark_gfm_extensions_get_tasklist_item_checked(node);
    if (const auto pos = line_start(readme, item.line); pos != npos) {
      const auto line = content_of(readme.substr(pos, line_end(readme, pos) - pos));
      const auto box = line.find(item.checked ? "]" : "[ ]");
      if (box != npos)
        item.text = std::string(trim_right(line.substr(line.find(']', box) + 1)));
      if (!item.text.empty() && item.text.front() == ' ')
        item.text.erase(0, item.text.find_first_not_of(' '));
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::string toggle_checklist_item(std::string_view readme, int index) {
  const auto items = checklist_items(readme);
  if (index < 1 || static_cast<std::size_t>(index) > items.size())
    throw Error(ErrorCode::not_found, "checklist item " + std::to_string(index) +
                                          ": the spec has " + std::to_string(items.size()) +
                                          " task-list items");
  const ChecklistItem &item = items[static_cast<std::size_t>(index - 1)];
  const npos_t pos = line_start(readme, item.line);
  const auto line = content_of(readme.substr(pos, line_end(readme, pos) - pos));
  // the box follows the list marker: `- [ ]`, `* [x]`, `1. [X]`
  npos_t box = npos;
  for (npos_t i = line.find_first_of("-*+0123456789"); i != npos && i + 2 < line.size(); ++i) {
    if (line[i] == '[' && line[i + 2] == ']' &&
        (line[i + 1] == ' ' || line[i + 1] == 'x' || line[i + 1] == 'X')) {
      box = i + 1;
      break;
    }
  }
  if (box == npos)
    throw Error(ErrorCode::internal, "checklist item " + std::to_string(index) +
                                         ": no box on line " + std::to_string(item.line));
  std::string out(readme);
  out[pos + box] = item.checked ? ' ' : 'x';
  return out;
}

} // namespace leanspec

namespace leanspec::detail {

std::string timestamp_text(std::chrono::system_clock::time_point now) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>((micros % 1'000'000 + 1'000'000) % 1'000'000));
  return buf;
}

} // namespace leanspec::detail
