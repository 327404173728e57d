#pragma once
// to_json(): JSON text for every result type, with the field names of LeanSpec's HTTP API
// (camelCase: specNumber, specName, createdAt, dependsOn, requiredBy, subSpecs, ...), so its
// UI can read them. Output is compact, UTF-8, keys in a fixed order. Implemented in src/json/.

#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <leanspec/spec_source.hpp>
#include <string>
#include <vector>

namespace leanspec {

/// How much of a spec to write: a summary (lists) or the detail (one spec: body, sub-specs,
/// frontmatter, diagnostics).
enum class JsonDetail { summary, full };

std::string to_json(const Spec &spec, JsonDetail detail = JsonDetail::full);
std::string to_json(const SpecList &list);
std::string to_json(const SearchResult &result);
std::string to_json(const Stats &stats);
std::string to_json(const Relationships &relationships);
std::string to_json(const Diagnostic &diagnostic);
std::string to_json(const std::vector<Diagnostic> &diagnostics);
std::string to_json(const Project &project);
/// {"projectId", "version", "added", "changed", "removed"}: one line, no newline.
std::string to_json(const ChangeEvent &event);

} // namespace leanspec
