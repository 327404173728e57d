// Implements Snapshot::validate() of src/snapshot/snapshot.hpp: each spec's own diagnostics plus
// the checks across specs (duplicate numbers, dangling or escaping refs, dependency and parent
// cycles).
#include "model/relative_ref.hpp"
#include "snapshot/snapshot.hpp"

#include <algorithm>
#include <functional>
#include <leanspec/error.hpp>
#include <map>

namespace leanspec::detail {
namespace {

// Strongly connected components with more than one node (or a self loop), by Tarjan.
std::vector<std::vector<std::size_t>>
cycles_of(const std::vector<std::vector<std::size_t>> &edges) {
  const std::size_t n = edges.size();
  std::vector<long> index(n, -1), low(n, 0);
  std::vector<char> on_stack(n, 0);
  std::vector<std::size_t> stack;
  std::vector<std::vector<std::size_t>> out;
  long counter = 0;
  // Iterative DFS to stay safe on long dependency chains.
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] >= 0)
      continue;
    std::vector<std::pair<std::size_t, std::size_t>> frames{{root, 0}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!frames.empty()) {
      auto &[v, next] = frames.back();
      if (next < edges[v].size()) {
        const std::size_t w = edges[v][next++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = 1;
          frames.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      const std::size_t done = v;
      frames.pop_back();
      if (!frames.empty())
        low[frames.back().first] = std::min(low[frames.back().first], low[done]);
      if (low[done] == index[done]) {
        std::vector<std::size_t> component;
        std::size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          component.push_back(w);
        } while (w != done);
        const bool self_loop =
            std::find(edges[done].begin(), edges[done].end(), done) != edges[done].end();
        if (component.size() > 1 || self_loop) {
          std::sort(component.begin(), component.end());
          out.push_back(std::move(component));
        }
      }
    }
  }
  return out;
}

// Warns on every spec whose number another spec uses too.
void check_duplicate_numbers(const std::vector<SpecPtr> &specs, std::vector<Diagnostic> &out) {
  std::map<int, std::vector<std::size_t>> numbers;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i]->number >= 0)
      numbers[specs[i]->number].push_back(i);
  for (const auto &[number, indices] : numbers) {
    if (indices.size() < 2)
      continue;
    std::string names;
    for (std::size_t i : indices)
      names += (names.empty() ? "" : ", ") + specs[i]->path;
    for (std::size_t i : indices)
      out.push_back({Diagnostic::Severity::warning, specs[i]->id, specs[i]->path + "/README.md", 0,
                     "duplicate-number",
                     "spec number " + specs[i]->number_text + " is used by " + names});
  }
}

// Every ref must stay inside the specs directory and name exactly one spec other than `spec`.
void check_ref(const Snapshot &snapshot, const Spec &spec, const std::string &ref,
               std::string_view field, std::vector<Diagnostic> &out) {
  const std::string file = spec.path + "/README.md";
  std::string kind(field);
  std::replace(kind.begin(), kind.end(), '_', '-');
  try {
    check_relative_ref(ref, field);
  } catch (const Error &e) {
    out.push_back({Diagnostic::Severity::error, spec.id, file, 0, "ref-outside-specs", e.what()});
    return;
  }
  const auto c = snapshot.candidates(ref);
  if (c.empty())
    out.push_back({Diagnostic::Severity::error, spec.id, file, 0, "dangling-" + kind,
                   std::string(field) + " '" + ref + "' names no spec"});
  else if (c.size() > 1)
    out.push_back({Diagnostic::Severity::warning, spec.id, file, 0, "ambiguous-" + kind,
                   std::string(field) + " '" + ref + "' matches " + std::to_string(c.size()) +
                       " specs; use the full folder name"});
  else if (snapshot.specs()[c[0]].get() == &spec)
    out.push_back({Diagnostic::Severity::error, spec.id, file, 0, "self-" + kind,
                   std::string(field) + " '" + ref + "' names the spec itself"});
}

// An error for each cycle of `edges` (a `kind` relation), on its first spec.
void report_cycles(const std::vector<SpecPtr> &specs,
                   const std::vector<std::vector<std::size_t>> &edges, std::string_view kind,
                   std::vector<Diagnostic> &out) {
  for (const auto &component : cycles_of(edges)) {
    std::string names;
    for (std::size_t i : component)
      names += (names.empty() ? "" : ", ") + specs[i]->id;
    const Spec &first = *specs[component.front()];
    out.push_back({Diagnostic::Severity::error, first.id, first.path + "/README.md", 0,
                   std::string(kind) + "-cycle", std::string(kind) + " cycle among " + names});
  }
}

} // namespace

std::shared_ptr<const std::vector<Diagnostic>> Snapshot::validate() const {
  std::call_once(validate_once_, [this] {
    auto out = std::make_shared<std::vector<Diagnostic>>(diagnostics_);
    for (const auto &spec : specs_)
      out->insert(out->end(), spec->diagnostics.begin(), spec->diagnostics.end());
    check_duplicate_numbers(specs_, *out);
    for (const auto &spec : specs_) {
      for (const auto &ref : spec->depends_on)
        check_ref(*this, *spec, ref, "depends_on", *out);
      if (!spec->parent.empty())
        check_ref(*this, *spec, spec->parent, "parent", *out);
      for (const auto &ref : spec->related)
        check_ref(*this, *spec, ref, "related", *out);
    }
    report_cycles(specs_, depends_on_, "dependency", *out);
    std::vector<std::vector<std::size_t>> parent_edges(specs_.size());
    for (std::size_t i = 0; i < specs_.size(); ++i)
      if (parent_[i] >= 0)
        parent_edges[i].push_back(static_cast<std::size_t>(parent_[i]));
    report_cycles(specs_, parent_edges, "parent", *out);
    validation_ = std::move(out);
  });
  return validation_;
}

} // namespace leanspec::detail
