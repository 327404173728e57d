// Implements discover_options() of include/leanspec/filesystem_source.hpp: reads
// .lean-spec/config.json, else the legacy .lspec/config.json (specsDir, structure.pattern), with
// simdjson.
#include "model/relative_ref.hpp"

#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <simdjson.h>

namespace leanspec {

FilesystemOptions discover_options(const std::filesystem::path &project_dir) {
  FilesystemOptions options;
  options.specs_dir = project_dir / "specs";
  // LeanSpec's current place, then the one its first releases used.
  std::filesystem::path file = project_dir / ".lean-spec" / "config.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    file = project_dir / ".lspec" / "config.json";
  if (!std::filesystem::is_regular_file(file, ec))
    return options;
  const std::string where = file.string();
  simdjson::padded_string json;
  if (simdjson::padded_string::load(where).get(json))
    throw Error(ErrorCode::io, "cannot read " + where);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root))
    throw Error(ErrorCode::config,
                where + ": not valid JSON (" + simdjson::error_message(error) + ")");
  if (!root.is_object())
    throw Error(ErrorCode::config, where + ": the top level is not an object");

  if (simdjson::dom::element dir; !root["specsDir"].get(dir)) {
    std::string_view text;
    if (dir.get(text) || text.empty())
      throw Error(ErrorCode::config, where + ": specsDir must be a non-empty string");
    try {
      detail::check_relative_ref(text, "specsDir");
    } catch (const Error &e) {
      throw Error(ErrorCode::config, where + ": " + e.what());
    }
    options.specs_dir = project_dir / std::string(text);
  }
  if (simdjson::dom::element pattern; !root["structure"]["pattern"].get(pattern)) {
    std::string_view text;
    if (pattern.get(text))
      throw Error(ErrorCode::config, where + ": structure.pattern must be a string");
    // "flat" keeps every spec at the top; any grouping pattern ("date-grouped",
    // "{YYYYMMDD}/{NNN}-{name}", ...) puts them one folder down.
    options.pattern =
        text == "flat" || text.empty() ? FolderPattern::flat : FolderPattern::date_grouped;
  }
  if (simdjson::dom::element digits; !root["structure"]["sequenceDigits"].get(digits)) {
    std::int64_t n = 0;
    if (digits.get(n) || n < 1 || n > 9)
      throw Error(ErrorCode::config, where + ": structure.sequenceDigits must be 1 to 9");
    options.sequence_digits = static_cast<int>(n);
  }
  // The spec template: "template", else templates.default, a file in the config's templates/.
  simdjson::dom::element name;
  if (root["template"].get(name) && root["templates"]["default"].get(name))
    return options;
  std::string_view text;
  if (name.get(text) || text.empty() || text.find('/') != std::string_view::npos ||
      text.find('\\') != std::string_view::npos || text == "." || text == "..")
    throw Error(ErrorCode::config, where + ": template must name a file in " +
                                       (file.parent_path() / "templates").string());
  options.template_path = file.parent_path() / "templates" / std::string(text);
  return options;
}

} // namespace leanspec
