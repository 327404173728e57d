// Implements src/model/yaml.hpp with yaml-cpp.
#include "model/yaml.hpp"

#include <set>
#include <yaml-cpp/yaml.h>

namespace leanspec::detail {
namespace {

constexpr int max_depth = 64;

class Converter {
public:
  explicit Converter(std::vector<YamlProblem> &problems) : problems_(problems) {}

  Value convert(const YAML::Node &node, int depth) {
    Value v;
    v.line = node.Mark().line >= 0 ? node.Mark().line : 0;
    if (depth > max_depth) {
      problems_.push_back(
          {Diagnostic::Severity::error, v.line, "yaml-too-deep",
           "frontmatter nests deeper than " + std::to_string(max_depth) + " levels"});
      return v;
    }
    switch (node.Type()) {
    case YAML::NodeType::Scalar:
      v.kind = Value::Kind::scalar;
      v.text = node.Scalar();
      v.quoted = node.Tag() != "?"; // yaml-cpp tags plain scalars "?", quoted ones "!"
      break;
    case YAML::NodeType::Sequence:
      v.kind = Value::Kind::sequence;
      for (const auto &item : node)
        v.items.push_back(convert(item, depth + 1));
      break;
    case YAML::NodeType::Map: {
      v.kind = Value::Kind::mapping;
      std::set<std::string> seen;
      for (const auto &entry : node) {
        std::string key = entry.first.IsScalar() ? entry.first.Scalar() : YAML::Dump(entry.first);
        if (!seen.insert(key).second)
          problems_.push_back({Diagnostic::Severity::warning, entry.first.Mark().line,
                               "duplicate-key", "key '" + key + "' appears more than once"});
        v.fields.push_back({std::move(key), convert(entry.second, depth + 1)});
      }
      break;
    }
    default:
      break;
    }
    return v;
  }

private:
  std::vector<YamlProblem> &problems_;
};

} // namespace

YamlDocument parse_yaml(std::string_view text) {
  YamlDocument doc;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    doc.root = Converter(doc.problems).convert(root, 0);
  } catch (const YAML::Exception &e) {
    doc.root = {};
    doc.problems.push_back({Diagnostic::Severity::error, e.mark.line >= 0 ? e.mark.line : 0,
                            "yaml-syntax", "broken YAML: " + e.msg});
  }
  return doc;
}

} // namespace leanspec::detail
