// Implements src/model/yaml.hpp with yaml-cpp's event parser. Building yaml-cpp's own node graph
// first and converting it cost a third more time and most of the allocations of a load
// (docs/BENCHMARKS.md); the events build the Value tree directly.
#include "model/yaml.hpp"

#include <istream>
#include <optional>
#include <streambuf>
#include <unordered_map>
#include <unordered_set>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace leanspec::detail {
namespace {

constexpr int max_depth = 64;
// An alias repeats the value its anchor names; nested aliases can multiply a few lines into
// billions of values ("billion laughs"). Past this many values (keys included) the whole
// document is refused with one problem: a document read in part would lose fields silently.
constexpr std::size_t max_values = 100'000;

// Thrown by the Builder to stop the parse when the document passes max_values.
struct TooLarge {
  int line = 0;
};

// Reads a string_view in place, so the text is not copied into a stream.
class ViewBuffer : public std::streambuf {
public:
  explicit ViewBuffer(std::string_view text) {
    char *begin = const_cast<char *>(text.data()); // read-only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

std::size_t count_values(const Value &v) {
  std::size_t n = 1;
  for (const auto &item : v.items)
    n += count_values(item);
  for (const auto &field : v.fields)
    n += count_values(field.value);
  return n;
}

// A key that is not a scalar (`[a, b]: x`, `{a: 1}: x`) as one line of text.
std::string key_text(const Value &v) {
  switch (v.kind) {
  case Value::Kind::scalar:
    return v.text;
  case Value::Kind::sequence: {
    std::string out = "[";
    for (const auto &item : v.items)
      out += (out.size() > 1 ? ", " : "") + key_text(item);
    return out + "]";
  }
  case Value::Kind::mapping: {
    std::string out = "{";
    for (const auto &field : v.fields)
      out += (out.size() > 1 ? ", " : "") + field.key + ": " + key_text(field.value);
    return out + "}";
  }
  case Value::Kind::null:
    break;
  }
  return "~";
}

class Builder : public YAML::EventHandler {
public:
  explicit Builder(YamlDocument &doc) : doc_(doc) {}

  void OnDocumentStart(const YAML::Mark &) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override {
    Value v;
    v.line = line(mark);
    add(std::move(v), anchor);
  }
  void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    Value v = it == anchors_.end() ? Value{} : it->second;
    v.line = line(mark);
    const std::size_t repeated = count_values(v); // an alias repeats every value under it
    add(std::move(v), 0, repeated);
  }
  void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                const std::string &text) override {
    Value v;
    v.kind = Value::Kind::scalar;
    v.line = line(mark);
    v.text = text;
    v.quoted = tag != "?"; // yaml-cpp tags plain scalars "?", quoted and block ones "!"
    add(std::move(v), anchor);
  }
  void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, Value::Kind::sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, Value::Kind::mapping, anchor);
  }
  void OnMapEnd() override { close(); }

private:
  struct Frame {
    Value value;
    YAML::anchor_t anchor = 0;
    std::optional<std::pair<std::string, int>> key; // a mapping's key awaiting its value
    std::unordered_set<std::string> keys;           // filled only for large mappings
  };

  static int line(const YAML::Mark &mark) { return mark.line >= 0 ? mark.line : 0; }

  void open(const YAML::Mark &mark, Value::Kind kind, YAML::anchor_t anchor) {
    if (skipped_ > 0 || stack_.size() >= static_cast<std::size_t>(max_depth)) {
      if (skipped_++ == 0) {
        doc_.problems.push_back(
            {Diagnostic::Severity::error, line(mark), "yaml-too-deep",
             "frontmatter nests deeper than " + std::to_string(max_depth) + " levels"});
        Value v;
        v.line = line(mark);
        add(std::move(v), 0); // the too-deep collection reads as null
      }
      return;
    }
    Frame frame;
    frame.value.kind = kind;
    frame.value.line = line(mark);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void close() {
    if (skipped_ > 0) {
      --skipped_;
      return;
    }
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(frame.value), frame.anchor);
  }

  // Adds `v` to the collection being built; `weight`: how many values it stands for (its
  // children were counted as they were added, unless it is an alias's copy).
  void add(Value v, YAML::anchor_t anchor, std::size_t weight = 1) {
    values_ += weight;
    if (values_ > max_values)
      throw TooLarge{v.line};
    if (skipped_ > 0)
      return;
    if (anchor != 0)
      anchors_[anchor] = v;
    if (stack_.empty()) {
      if (!has_root_)
        doc_.root = std::move(v);
      has_root_ = true;
      return;
    }
    Frame &top = stack_.back();
    if (top.value.kind == Value::Kind::sequence) {
      top.value.items.push_back(std::move(v));
    } else if (!top.key) {
      top.key.emplace(key_text(v), v.line);
    } else {
      auto [key, key_line] = std::move(*top.key);
      top.key.reset();
      if (is_duplicate(top, key))
        doc_.problems.push_back({Diagnostic::Severity::warning, key_line, "duplicate-key",
                                 "key '" + key + "' appears more than once"});
      top.value.fields.push_back({std::move(key), std::move(v)});
    }
  }

  // Small mappings are scanned; a large one keeps a set of its keys.
  static bool is_duplicate(Frame &frame, const std::string &key) {
    constexpr std::size_t scan_limit = 16;
    auto &fields = frame.value.fields;
    if (fields.size() < scan_limit) {
      for (const auto &field : fields)
        if (field.key == key)
          return true;
      return false;
    }
    if (frame.keys.empty())
      for (const auto &field : fields)
        frame.keys.insert(field.key);
    return !frame.keys.insert(key).second;
  }

  YamlDocument &doc_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Value> anchors_;
  std::size_t values_ = 0;
  int skipped_ = 0;
  bool has_root_ = false;
};

} // namespace

YamlDocument parse_yaml(std::string_view text) {
  YamlDocument doc;
  try {
    ViewBuffer buffer(text);
    std::istream stream(&buffer);
    YAML::Parser parser(stream);
    Builder builder(doc);
    parser.HandleNextDocument(builder); // the first document, as YAML::Load reads it
  } catch (const TooLarge &e) {
    doc = {}; // nothing of a refused document is read
    doc.problems.push_back({Diagnostic::Severity::error, e.line, "yaml-too-large",
                            "frontmatter has more than " + std::to_string(max_values) +
                                " values (keys, or aliases repeating aliases); it is not read"});
  } catch (const YAML::Exception &e) {
    doc = {}; // what was built before the error is not a document
    doc.problems.push_back({Diagnostic::Severity::error, e.mark.line >= 0 ? e.mark.line : 0,
                            "yaml-syntax", "broken YAML: " + e.msg});
  }
  return doc;
}

} // namespace leanspec::detail
