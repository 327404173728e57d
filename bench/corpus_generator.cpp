// Implements bench/corpus_generator.hpp: a deterministic synthetic LeanSpec project.
//
// Text model: each spec has a topic (a few dozen of ~600 technical words and two of 24 fixed
// collocations such as "search index"). Its prose draws 55% of words from 34 function words
// (Zipf), 29% from its topic, 1% from any technical word and 15% from 40,000 synthetic
// pronounceable words (names, jargon; Zipf), so a technical word is frequent in some specs and
// absent from most (as in the real corpus, where "cache" is in ~15% of specs), and a 10k tree
// has a long tail of tens of thousands of distinct terms.
#include "corpus_generator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

namespace leanspec::bench {

namespace {

namespace fs = std::filesystem;

constexpr int generator_version = 4; // bump when the output for given options changes

// --- Randomness (fixed algorithms, so output is identical everywhere) ----------------------

class Rng {
public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept { // splitmix64
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n).
  std::size_t below(std::size_t n) noexcept {
    return static_cast<std::size_t>(next() % n); // bias < n / 2^64: irrelevant here
  }
  /// Uniform in [lo, hi].
  int between(int lo, int hi) noexcept {
    return lo + static_cast<int>(below(static_cast<std::size_t>(hi - lo + 1)));
  }
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) noexcept { return unit() < p; }
  double normal() noexcept { // Box-Muller
    const double u1 = std::max(unit(), 1e-300), u2 = unit();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  template <class T, std::size_t N> const T &pick(const std::array<T, N> &items) noexcept {
    return items[below(N)];
  }

private:
  std::uint64_t state_;
};

// --- Vocabulary ---------------------------------------------------------------------------

constexpr std::string_view real_words[] = {
    "the",
    "spec",
    "and",
    "to",
    "a",
    "of",
    "in",
    "is",
    "for",
    "that",
    "with",
    "it",
    "on",
    "be",
    "as",
    "we",
    "this",
    "are",
    "by",
    "or",
    "can",
    "when",
    "from",
    "should",
    "not",
    "each",
    "an",
    "will",
    "which",
    "all",
    "new",
    "use",
    "if",
    "at",
    "cli",
    "user",
    "data",
    "file",
    "support",
    "must",
    "one",
    "into",
    "only",
    "status",
    "agent",
    "project",
    "command",
    "search",
    "cache",
    "config",
    "server",
    "api",
    "ui",
    "mcp",
    "tool",
    "build",
    "test",
    "tests",
    "validation",
    "frontmatter",
    "markdown",
    "template",
    "index",
    "query",
    "filter",
    "list",
    "view",
    "page",
    "component",
    "module",
    "package",
    "release",
    "version",
    "schema",
    "field",
    "fields",
    "value",
    "values",
    "error",
    "errors",
    "warning",
    "message",
    "output",
    "input",
    "format",
    "json",
    "yaml",
    "path",
    "folder",
    "directory",
    "workspace",
    "repository",
    "branch",
    "commit",
    "merge",
    "review",
    "issue",
    "feature",
    "design",
    "implementation",
    "plan",
    "phase",
    "milestone",
    "priority",
    "tag",
    "tags",
    "metadata",
    "dependency",
    "dependencies",
    "graph",
    "node",
    "edge",
    "cycle",
    "parent",
    "child",
    "hierarchy",
    "relationship",
    "link",
    "reference",
    "token",
    "context",
    "prompt",
    "model",
    "response",
    "request",
    "stream",
    "event",
    "events",
    "watcher",
    "reload",
    "snapshot",
    "state",
    "store",
    "database",
    "sqlite",
    "postgres",
    "migration",
    "sync",
    "github",
    "webhook",
    "rate",
    "limit",
    "retry",
    "timeout",
    "latency",
    "throughput",
    "memory",
    "disk",
    "performance",
    "benchmark",
    "profile",
    "optimize",
    "parallel",
    "thread",
    "threads",
    "lock",
    "atomic",
    "concurrent",
    "queue",
    "worker",
    "job",
    "task",
    "tasks",
    "pipeline",
    "workflow",
    "action",
    "actions",
    "trigger",
    "hook",
    "plugin",
    "extension",
    "editor",
    "vscode",
    "desktop",
    "web",
    "browser",
    "client",
    "session",
    "auth",
    "authentication",
    "authorization",
    "token",
    "secret",
    "permission",
    "role",
    "access",
    "security",
    "audit",
    "log",
    "logging",
    "trace",
    "metric",
    "metrics",
    "dashboard",
    "board",
    "kanban",
    "chart",
    "stats",
    "report",
    "summary",
    "overview",
    "problem",
    "solution",
    "goal",
    "goals",
    "scope",
    "approach",
    "alternative",
    "tradeoff",
    "decision",
    "rationale",
    "constraint",
    "requirement",
    "requirements",
    "criteria",
    "success",
    "failure",
    "risk",
    "risks",
    "question",
    "questions",
    "answer",
    "note",
    "notes",
    "example",
    "examples",
    "usage",
    "documentation",
    "docs",
    "guide",
    "tutorial",
    "readme",
    "changelog",
    "migration",
    "upgrade",
    "compatibility",
    "breaking",
    "change",
    "changes",
    "deprecate",
    "remove",
    "rename",
    "refactor",
    "cleanup",
    "simplify",
    "extract",
    "split",
    "consolidate",
    "unify",
    "move",
    "replace",
    "rewrite",
    "improve",
    "enhance",
    "fix",
    "bug",
    "regression",
    "crash",
    "panic",
    "invalid",
    "valid",
    "missing",
    "duplicate",
    "conflict",
    "consistent",
    "inconsistent",
    "correct",
    "incorrect",
    "robust",
    "reliable",
    "fast",
    "slow",
    "simple",
    "complex",
    "minimal",
    "lean",
    "small",
    "large",
    "default",
    "optional",
    "required",
    "explicit",
    "implicit",
    "automatic",
    "manual",
    "interactive",
    "batch",
    "incremental",
    "lazy",
    "eager",
    "cached",
    "stale",
    "fresh",
    "ttl",
    "invalidate",
    "invalidation",
    "evict",
    "entry",
    "entries",
    "key",
    "keys",
    "map",
    "set",
    "array",
    "string",
    "number",
    "boolean",
    "object",
    "type",
    "types",
    "interface",
    "class",
    "function",
    "method",
    "property",
    "argument",
    "option",
    "options",
    "flag",
    "flags",
    "setting",
    "settings",
    "environment",
    "variable",
    "runtime",
    "compile",
    "compiler",
    "typescript",
    "javascript",
    "rust",
    "python",
    "node",
    "npm",
    "pnpm",
    "cargo",
    "binary",
    "bundle",
    "dist",
    "install",
    "publish",
    "registry",
    "ci",
    "lint",
    "format",
    "prettier",
    "eslint",
    "vitest",
    "jest",
    "playwright",
    "e2e",
    "unit",
    "integration",
    "fixture",
    "mock",
    "coverage",
    "assert",
    "expect",
    "scenario",
    "case",
    "edge",
    "boundary",
    "performance",
    "render",
    "layout",
    "style",
    "theme",
    "dark",
    "light",
    "color",
    "icon",
    "button",
    "dialog",
    "modal",
    "sidebar",
    "navigation",
    "menu",
    "toolbar",
    "table",
    "column",
    "row",
    "cell",
    "card",
    "badge",
    "tooltip",
    "keyboard",
    "shortcut",
    "accessibility",
    "responsive",
    "mobile",
    "screen",
    "route",
    "router",
    "endpoint",
    "handler",
    "middleware",
    "controller",
    "service",
    "provider",
    "adapter",
    "factory",
    "builder",
    "parser",
    "lexer",
    "tokenizer",
    "serializer",
    "encoder",
    "decoder",
    "reader",
    "writer",
    "loader",
    "resolver",
    "validator",
    "formatter",
    "generator",
    "scanner",
    "matcher",
    "ranking",
    "score",
    "relevance",
    "fuzzy",
    "phrase",
    "prefix",
    "suffix",
    "regex",
    "pattern",
    "glob",
    "wildcard",
    "operator",
    "boolean",
    "expression",
    "syntax",
    "semantic",
    "embedding",
    "vector",
    "similarity",
    "chunk",
    "window",
    "budget",
    "estimate",
    "count",
    "size",
    "length",
    "line",
    "lines",
    "word",
    "words",
    "character",
    "unicode",
    "utf8",
    "encoding",
    "newline",
    "whitespace",
    "indent",
    "heading",
    "section",
    "paragraph",
    "bullet",
    "checkbox",
    "fence",
    "block",
    "inline",
    "html",
    "sanitize",
    "escape",
    "quote",
    "frontend",
    "backend",
    "fullstack",
    "monorepo",
    "workspace",
    "crate",
    "library",
    "framework",
    "nextjs",
    "react",
    "tauri",
    "electron",
    "server",
    "daemon",
    "process",
    "signal",
    "shutdown",
    "startup",
    "health",
    "probe",
    "deploy",
    "deployment",
    "docker",
    "container",
    "cloud",
    "hosted",
    "local",
    "remote",
    "offline",
    "online",
    "network",
    "http",
    "https",
    "rest",
    "graphql",
    "websocket",
    "sse",
    "polling",
    "notification",
    "subscribe",
    "publish",
    "consumer",
    "producer",
    "channel",
    "buffer",
    "backpressure",
    "throttle",
    "debounce",
    "batching",
    "pagination",
    "cursor",
    "offset",
    "sort",
    "order",
    "ascending",
    "descending",
    "group",
    "grouping",
    "aggregate",
    "transition",
    "lifecycle",
    "draft",
    "planned",
    "progress",
    "complete",
    "archived",
    "archive",
    "restore",
    "history",
    "timeline",
    "created",
    "updated",
    "completed",
    "date",
    "time",
    "timestamp",
    "week",
    "month",
    "sprint",
    "roadmap",
    "backlog",
    "owner",
    "assignee",
    "team",
    "contributor",
    "maintainer",
    "reviewer",
    "approval",
    "feedback",
    "discussion",
    "proposal",
    "rfc",
    "adr",
    "spec-driven",
    "ai",
    "llm",
    "claude",
    "copilot",
    "cursor",
    "agents",
    "orchestration",
    "autonomous",
    "assistant",
    "chat",
    "conversation",
    "memory",
    "knowledge",
    "reasoning",
    "evaluation",
    "quality",
    "accuracy",
    "precision",
    "recall",
    "signal",
    "noise",
    "clarity",
    "readability",
    "maintainability",
    "scalability",
    "extensibility",
    "portability",
    "governance",
    "policy",
    "rule",
    "rules",
    "check",
    "checks",
    "verify",
    "verification",
    "ensure",
    "guarantee",
    "invariant",
    "contract",
    "boundary",
    "layer",
    "layers",
    "architecture",
    "structure",
    "tree",
    "walk",
    "traverse",
    "visit",
    "recursive",
    "depth",
    "breadth",
    "first",
    "last",
    "next",
    "previous",
    "current",
    "initial",
    "final",
    "pending",
    "blocked",
    "ready",
    "done",
    "open",
    "closed",
    "active",
    "inactive",
    "enabled",
    "disabled",
    "visible",
    "hidden",
    "public",
    "private",
    "internal",
    "external",
    "shared",
    "global",
    "scoped",
    "isolated",
    "embedded",
    "portable",
    "native",
    "binding",
    "bindings",
    "wrapper",
    "facade",
    "proxy",
    "decorator",
    "observer",
    "strategy",
    "registry",
    "catalog",
    "inventory",
    "manifest",
    "lockfile",
};

constexpr std::array<std::string_view, 24> onsets = {"b", "c", "d",  "f",  "g",  "h",  "j",  "k",
                                                     "l", "m", "n",  "p",  "r",  "s",  "t",  "v",
                                                     "w", "z", "br", "cr", "st", "tr", "pl", "gr"};
constexpr std::array<std::string_view, 10> nuclei = {"a",  "e",  "i",  "o",  "u",
                                                     "ai", "ea", "io", "ou", "y"};
constexpr std::array<std::string_view, 12> codas = {"",  "",  "",  "n", "r",  "s",
                                                    "l", "m", "t", "x", "nd", "st"};

constexpr std::array<std::string_view, 24> phrases = {
    "search index",     "cache invalidation", "spec validation",   "file watcher",
    "dependency graph", "query language",     "status transition", "frontmatter parser",
    "rate limit",       "single flight",      "snapshot swap",     "token budget",
    "context window",   "sub spec",           "project config",    "date range",
    "fuzzy match",      "exit code",          "error message",     "hot path",
    "cold start",       "page cache",         "content hash",      "change event",
};

constexpr std::array<std::string_view, 80> tag_pool = {"api",
                                                       "cli",
                                                       "ui",
                                                       "mcp",
                                                       "feature",
                                                       "enhancement",
                                                       "dx",
                                                       "ux",
                                                       "search",
                                                       "cache",
                                                       "validation",
                                                       "frontmatter",
                                                       "templates",
                                                       "docs",
                                                       "testing",
                                                       "performance",
                                                       "refactor",
                                                       "architecture",
                                                       "ai-agents",
                                                       "integration",
                                                       "web",
                                                       "desktop",
                                                       "vscode",
                                                       "github",
                                                       "sync",
                                                       "database",
                                                       "security",
                                                       "auth",
                                                       "config",
                                                       "release",
                                                       "v0.2",
                                                       "v0.3",
                                                       "v0.4",
                                                       "monorepo",
                                                       "rust",
                                                       "typescript",
                                                       "nextjs",
                                                       "tauri",
                                                       "chat",
                                                       "orchestration",
                                                       "dependencies",
                                                       "relationships",
                                                       "hierarchy",
                                                       "board",
                                                       "stats",
                                                       "metrics",
                                                       "governance",
                                                       "metadata",
                                                       "workflow",
                                                       "ci",
                                                       "packaging",
                                                       "npm",
                                                       "migration",
                                                       "breaking-change",
                                                       "accessibility",
                                                       "i18n",
                                                       "theme",
                                                       "layout",
                                                       "navigation",
                                                       "editor",
                                                       "markdown",
                                                       "parser",
                                                       "query",
                                                       "filters",
                                                       "sorting",
                                                       "pagination",
                                                       "watcher",
                                                       "realtime",
                                                       "notifications",
                                                       "logging",
                                                       "telemetry",
                                                       "cleanup",
                                                       "quality",
                                                       "first-principles",
                                                       "context-engineering",
                                                       "tokens",
                                                       "prompts",
                                                       "skills",
                                                       "planning",
                                                       "roadmap"};

constexpr std::array<std::string_view, 8> assignees = {"marvin", "alice", "bob",   "carol",
                                                       "dave",   "erin",  "frank", "grace"};
constexpr std::array<std::string_view, 7> languages = {"yaml", "typescript", "rust", "bash",
                                                       "json", "tsx",        "text"};
constexpr std::array<std::string_view, 6> sub_spec_files = {
    "DESIGN.md", "IMPLEMENTATION.md", "TESTING.md", "ARCHITECTURE.md", "ANALYSIS.md", "PLAN.md"};
constexpr std::array<std::string_view, 10> section_names = {"Design",
                                                            "Plan",
                                                            "Test",
                                                            "Notes",
                                                            "Implementation",
                                                            "Alternatives Considered",
                                                            "Open Questions",
                                                            "Success Criteria",
                                                            "Technical Details",
                                                            "Rollout"};

class Vocabulary {
public:
  Vocabulary(std::uint64_t seed, std::size_t synthetic_words) {
    Rng rng(seed ^ 0x5EEDF00DULL);
    synthetic_.reserve(synthetic_words);
    while (synthetic_.size() < synthetic_words) {
      std::string w;
      const int syllables = rng.between(2, 4);
      for (int i = 0; i < syllables; ++i) {
        w += rng.pick(onsets);
        w += rng.pick(nuclei);
        if (i + 1 == syllables || rng.chance(0.3))
          w += rng.pick(codas);
      }
      synthetic_.push_back(std::move(w));
    }
    common_cumulative_ = zipf(common_words);
    synthetic_cumulative_ = zipf(synthetic_.size());
  }
  /// Sets the spec being written: its topic words (a few dozen technical words it is about)
  /// and topic phrases. Real specs are about something: "cache" is frequent in a few specs
  /// and absent from most, which is what makes a search selective.
  void start_spec(Rng &rng) {
    topic_.clear();
    const std::size_t n = 25 + rng.below(30);
    for (std::size_t i = 0; i < n; ++i)
      topic_.push_back(real_words[common_words + rng.below(std::size(real_words) - common_words)]);
    topic_phrases_[0] = phrases[rng.below(phrases.size())];
    topic_phrases_[1] = phrases[rng.below(phrases.size())];
  }
  /// A word of prose: 55% function words (Zipf over the 34 most common), 29% the spec's topic
  /// words, 1% any technical word, 15% the synthetic long tail (names, jargon; Zipf).
  std::string_view word(Rng &rng) const {
    const double u = rng.unit();
    if (u < 0.55)
      return real_words[sample(common_cumulative_, rng)];
    if (u < 0.84 && !topic_.empty())
      return topic_[rng.below(topic_.size())];
    if (u < 0.85)
      return real_words[common_words + rng.below(std::size(real_words) - common_words)];
    return synthetic_[sample(synthetic_cumulative_, rng)];
  }
  std::string_view phrase(Rng &rng) const { return topic_phrases_[rng.below(2)]; }
  /// A technical word for titles, slugs and identifiers: 70% from the spec's topic.
  std::string_view real(Rng &rng) const {
    if (!topic_.empty() && rng.chance(0.7))
      return topic_[rng.below(topic_.size())];
    return real_words[common_words + rng.below(std::size(real_words) - common_words)];
  }

private:
  static std::vector<double> zipf(std::size_t n) {
    std::vector<double> cumulative(n);
    double total = 0;
    for (std::size_t r = 0; r < n; ++r) {
      total += 1.0 / static_cast<double>(r + 1);
      cumulative[r] = total;
    }
    return cumulative;
  }
  static std::size_t sample(const std::vector<double> &cumulative, Rng &rng) {
    const double u = rng.unit() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()),
                                 cumulative.size() - 1);
  }

  std::vector<std::string> synthetic_;
  static constexpr std::size_t common_words = 34; // "the" .. "at": function words
  std::vector<double> common_cumulative_;
  std::vector<std::string_view> topic_;
  std::array<std::string_view, 2> topic_phrases_{};
  std::vector<double> synthetic_cumulative_;
};

// --- Text ---------------------------------------------------------------------------------

template <class... Parts> void append(std::string &out, const Parts &...parts) {
  (out.append(std::string_view(parts)), ...);
}

class Writer {
public:
  Writer(const Vocabulary &vocabulary, Rng &rng) : v_(vocabulary), rng_(rng) {}

  std::string title(int min_words, int max_words) {
    std::string out;
    const int n = rng_.between(min_words, max_words);
    for (int i = 0; i < n; ++i) {
      std::string w(v_.real(rng_));
      if (!w.empty())
        w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
      if (i)
        out += ' ';
      out += w;
    }
    return out;
  }

  void sentence(std::string &out) {
    const int n = rng_.between(7, 22);
    const int phrase_at = rng_.chance(0.03) ? rng_.between(0, n - 1) : -1;
    for (int i = 0; i < n; ++i) {
      if (i)
        out += ' ';
      std::size_t start = out.size();
      if (i == phrase_at) {
        out += v_.phrase(rng_);
      } else {
        const std::string_view w = v_.word(rng_);
        const double style = rng_.unit();
        if (style < 0.03) {
          out += '`';
          out += w;
          out += '`';
        } else if (style < 0.05) {
          out += "**";
          out += w;
          out += "**";
        } else {
          out += w;
        }
      }
      if (i == 0)
        out[start] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[start])));
      if (i + 1 < n && rng_.chance(0.08))
        out += ',';
    }
    out += rng_.chance(0.1) ? "?" : ".";
  }

  void paragraph(std::string &out) {
    const int n = rng_.between(2, 6);
    for (int i = 0; i < n; ++i) {
      if (i)
        out += ' ';
      sentence(out);
    }
    out += "\n\n";
  }

  void list(std::string &out) {
    const int n = rng_.between(3, 8);
    const int kind = static_cast<int>(rng_.below(3)); // bullet, numbered, checkbox
    for (int i = 0; i < n; ++i) {
      if (kind == 0)
        out += "- ";
      else if (kind == 1)
        out += std::to_string(i + 1) + ". ";
      else
        out += rng_.chance(0.6) ? "- [x] " : "- [ ] ";
      if (rng_.chance(0.3)) {
        out += "**";
        out += title(1, 3);
        out += "**: ";
      }
      const int words = rng_.between(3, 14);
      for (int j = 0; j < words; ++j) {
        if (j)
          out += ' ';
        out += v_.word(rng_);
      }
      out += '\n';
    }
    out += '\n';
  }

  std::string identifier() {
    std::string id(v_.real(rng_));
    std::string second(v_.real(rng_)); // separate statements: draws in a fixed order
    if (!second.empty())
      second[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(second[0])));
    id += second;
    std::replace(id.begin(), id.end(), '-', '_');
    return id;
  }

  void code(std::string &out) {
    const std::string_view lang = rng_.pick(languages);
    out += "```";
    out += lang;
    out += '\n';
    const int n = rng_.between(4, 22);
    for (int i = 0; i < n; ++i) {
      const std::string indent(2 * rng_.below(3), ' ');
      out += indent;
      // Appends piece by piece: `"literal" + std::string` trips GCC 12's -Wrestrict false
      // positive (GCC PR 105329). The random draws are sequenced (a braced list evaluates left
      // to right; function arguments would not), so every compiler writes the same bytes.
      const std::array<std::string, 3> w{identifier(), identifier(), std::string(v_.word(rng_))};
      const std::string_view w2 = v_.word(rng_);
      if (lang == "yaml") {
        append(out, w[0], ": ", w[2], "\n");
      } else if (lang == "bash") {
        append(out, "leanspec ", w2, " --", w[2], " ", w[1], "\n");
      } else if (lang == "json") {
        append(out, "\"", w[0], "\": \"", w[2], "\",\n");
      } else if (lang == "rust") {
        append(out, "let ", w[0], " = ", w[1], "(&", w[2], ")?;\n");
      } else if (lang == "text") {
        append(out, w[2], "/", w2, "/", w[0], ".md\n");
      } else {
        append(out, "const ", w[0], " = await ", w[1], "(", w[2], ");\n");
      }
    }
    out += "```\n\n";
  }

  void table(std::string &out) {
    const int cols = rng_.between(2, 5), rows = rng_.between(2, 8);
    out += '|';
    for (int c = 0; c < cols; ++c)
      append(out, " ", title(1, 2), " |");
    out += "\n|";
    for (int c = 0; c < cols; ++c)
      out += "-------|";
    out += '\n';
    for (int r = 0; r < rows; ++r) {
      out += '|';
      for (int c = 0; c < cols; ++c) {
        out += ' ';
        const int words = rng_.between(1, 4);
        for (int j = 0; j < words; ++j) {
          if (j)
            out += ' ';
          if (c == 0 && rng_.chance(0.3))
            append(out, "`", identifier(), "`");
          else
            out += v_.word(rng_);
        }
        out += " |";
      }
      out += '\n';
    }
    out += '\n';
  }

  /// Blocks of Markdown under `##`/`###` headings until `out` reaches `target` bytes.
  void body(std::string &out, std::size_t target) {
    std::size_t section = 0;
    int blocks_in_section = 0;
    while (out.size() < target) {
      if (blocks_in_section >= rng_.between(3, 9)) {
        if (rng_.chance(0.4)) {
          out += "## ";
          out += section_names[section++ % section_names.size()];
        } else {
          out += "### " + title(2, 5);
        }
        out += "\n\n";
        blocks_in_section = 0;
      }
      const double kind = rng_.unit();
      if (kind < 0.50)
        paragraph(out);
      else if (kind < 0.72)
        list(out);
      else if (kind < 0.88)
        code(out);
      else
        table(out);
      ++blocks_in_section;
    }
  }

private:
  const Vocabulary &v_;
  Rng &rng_;
};

// --- Dates --------------------------------------------------------------------------------

using namespace std::chrono;

std::string date_text(sys_days day) {
  const year_month_day ymd{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

std::string timestamp_text(sys_time<milliseconds> at, bool micro, Rng &rng) {
  const auto day = floor<days>(at);
  const auto ms = (at - day).count();
  char buffer[64];
  if (micro)
    std::snprintf(buffer, sizeof buffer, "%sT%02lld:%02lld:%02lld.%03lld%03dZ",
                  date_text(day).c_str(), static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                  static_cast<long long>(ms % 1000), rng.between(0, 999));
  else
    std::snprintf(buffer, sizeof buffer, "%sT%02lld:%02lld:%02lld.%03lldZ", date_text(day).c_str(),
                  static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                  static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buffer;
}

// --- Specs --------------------------------------------------------------------------------

struct SpecHeader {
  std::string id;
  std::string title;
};

std::string number_text(std::size_t number) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%03zu", number);
  return buffer;
}

std::string_view status_text(double u) {
  if (u < 0.08)
    return "draft";
  if (u < 0.28)
    return "planned";
  if (u < 0.38)
    return "in-progress";
  if (u < 0.85)
    return "complete";
  return "archived";
}

std::string_view status_label(std::string_view status) {
  if (status == "draft")
    return "📝 Draft";
  if (status == "planned")
    return "🗓️ Planned";
  if (status == "in-progress")
    return "⏳ In progress";
  if (status == "complete")
    return "✅ Complete";
  return "📦 Archived";
}

void write_file(const fs::path &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
}

constexpr std::string_view config_json = R"({
  "template": "spec-template.md",
  "templates": {
    "default": "spec-template.md"
  },
  "specsDir": "specs",
  "structure": {
    "pattern": "flat",
    "prefix": "",
    "dateFormat": "YYYYMMDD",
    "sequenceDigits": 3,
    "defaultFile": "README.md"
  },
  "features": {
    "aiAgents": true
  }
}
)";

} // namespace

std::string corpus_fingerprint(const CorpusOptions &options) {
  return "leanspec-bench-corpus v" + std::to_string(generator_version) +
         " specs=" + std::to_string(options.specs) + " seed=" + std::to_string(options.seed) +
         " average=" + std::to_string(options.average_readme_bytes) + "\n";
}

CorpusSummary generate_corpus(const CorpusOptions &options) {
  const fs::path root = options.root;
  fs::path staging = root;
  staging += ".partial";
  fs::remove_all(staging);
  fs::create_directories(staging / ".lean-spec");
  fs::create_directories(staging / "specs");
  write_file(staging / ".lean-spec" / "config.json", std::string(config_json));

  Vocabulary vocabulary(options.seed, 40'000);
  Rng rng(options.seed);
  Writer writer(vocabulary, rng);
  CorpusSummary summary;
  std::vector<SpecHeader> headers;
  headers.reserve(options.specs);

  const sys_days first_day = sys_days{year{2024} / 1 / 1};
  const int span_days = 730;
  const double sigma = 0.55; // log-normal spread of README sizes; mean kept at the average
  const double size_scale =
      static_cast<double>(options.average_readme_bytes) * std::exp(-sigma * sigma / 2);
  std::string readme, front, body;

  for (std::size_t i = 0; i < options.specs; ++i) {
    const std::size_t number = i + 1;
    SpecHeader header;
    vocabulary.start_spec(rng);
    header.title = writer.title(2, 6);
    std::string slug;
    const int slug_words = rng.between(2, 4);
    for (int w = 0; w < slug_words; ++w) {
      if (w)
        slug += '-';
      slug += vocabulary.real(rng);
    }
    header.id = number_text(number) + "-" + slug;

    const std::string_view status = status_text(rng.unit());
    const double p = rng.unit();
    const std::string_view priority = p < 0.1   ? ""
                                      : p < 0.2 ? "low"
                                      : p < 0.5 ? "medium"
                                      : p < 0.9 ? "high"
                                                : "critical";
    // Creation dates grow with the number, with some jitter.
    const int day_offset = std::clamp(
        static_cast<int>(static_cast<double>(i) * span_days / static_cast<double>(options.specs)) +
            rng.between(-5, 5),
        0, span_days);
    const sys_days created = first_day + days{day_offset};
    const auto created_at = sys_time<milliseconds>{created} +
                            milliseconds{static_cast<long long>(rng.below(86'400'000))};
    const auto updated_at =
        created_at + milliseconds{static_cast<long long>(rng.below(60ULL * 86'400'000ULL))};

    front.clear();
    front += "---\nstatus: ";
    front += status;
    front += "\ncreated: " + date_text(created);
    if (!priority.empty()) {
      front += "\npriority: ";
      front += priority;
    }
    front += "\ntags:\n";
    std::vector<std::string_view> tags;
    const int tag_count = rng.between(1, 6);
    while (static_cast<int>(tags.size()) < tag_count) {
      // Zipf-ish over the tag pool: a few tags are very common.
      const double u = rng.unit();
      const auto t = tag_pool[static_cast<std::size_t>(std::pow(u, 2.2) * tag_pool.size())];
      if (std::find(tags.begin(), tags.end(), t) == tags.end())
        tags.push_back(t);
    }
    for (auto t : tags) {
      front += "- ";
      front += t;
      front += '\n';
    }
    front.pop_back();
    if (i > 0 && rng.chance(0.45)) {
      front += "\ndepends_on:";
      const int deps = rng.between(1, 3);
      for (int d = 0; d < deps; ++d) {
        // Mostly recent specs, sometimes old ones.
        const std::size_t back =
            rng.chance(0.7) ? 1 + rng.below(std::min<std::size_t>(i, 30)) : 1 + rng.below(i);
        front += "\n- " + headers[i - back].id;
      }
    }
    if (i > 10 && rng.chance(0.06))
      front += "\nparent: " + headers[i - 1 - rng.below(std::min<std::size_t>(i, 50))].id;
    if (rng.chance(0.1)) {
      front += "\nassignee: ";
      front += rng.pick(assignees);
    }
    front += "\ncreated_at: " + timestamp_text(created_at, false, rng);
    front += "\nupdated_at: " + timestamp_text(updated_at, true, rng);
    if (status != "planned" && status != "draft" && rng.chance(0.7)) {
      front += "\ntransitions:";
      auto at = created_at;
      auto step = [&](std::string_view to) {
        at += milliseconds{static_cast<long long>(rng.below(10ULL * 86'400'000ULL))};
        front += "\n- status: ";
        front += to;
        front += "\n  at: " + timestamp_text(at, true, rng);
      };
      step("in-progress");
      if (status == "complete" || status == "archived")
        step("complete");
      if (status == "archived")
        step("archived");
      if (status == "complete")
        front += "\ncompleted_at: " + timestamp_text(at, false, rng);
    }
    front += "\n---\n";

    body.clear();
    body += "\n# " + header.title + "\n\n> **Status**: ";
    body += status_label(status);
    if (!priority.empty()) {
      body += " · **Priority**: ";
      body += priority;
    }
    body += " · **Created**: " + date_text(created) + " · **Tags**: ";
    for (std::size_t t = 0; t < tags.size(); ++t) {
      if (t)
        body += ", ";
      body += tags[t];
    }
    body += "\n\n## Overview\n\n### Problem\n\n";
    writer.paragraph(body);
    body += "### Solution\n\n";
    writer.paragraph(body);
    const double size = std::clamp(size_scale * std::exp(sigma * rng.normal()), 2048.0, 80'000.0);
    writer.body(body, static_cast<std::size_t>(size) - std::min(front.size(), std::size_t{1000}));

    readme = front + body;
    const fs::path dir = staging / "specs" / header.id;
    fs::create_directory(dir);
    write_file(dir / "README.md", readme);
    ++summary.files;
    summary.bytes += readme.size();

    if (rng.chance(0.15)) {
      const int subs = rng.between(1, 3);
      std::vector<std::string_view> names;
      while (static_cast<int>(names.size()) < subs) {
        auto name = rng.pick(sub_spec_files);
        if (std::find(names.begin(), names.end(), name) == names.end())
          names.push_back(name);
      }
      for (auto name : names) {
        std::string sub =
            "# " + header.title + ": " + std::string(name.substr(0, name.size() - 3)) + "\n\n";
        writer.body(sub, static_cast<std::size_t>(
                             std::clamp(4000.0 * std::exp(0.6 * rng.normal()), 800.0, 40'000.0)));
        write_file(dir / std::string(name), sub);
        ++summary.files;
        summary.bytes += sub.size();
      }
    }
    headers.push_back(std::move(header));
    ++summary.specs;
  }

  write_file(staging / ".leanspec-bench-corpus", corpus_fingerprint(options));
  fs::remove_all(root);
  if (root.has_parent_path())
    fs::create_directories(root.parent_path());
  fs::rename(staging, root);
  return summary;
}

bool ensure_corpus(const CorpusOptions &options) {
  std::ifstream marker(options.root / ".leanspec-bench-corpus", std::ios::binary);
  if (marker) {
    std::string text((std::istreambuf_iterator<char>(marker)), std::istreambuf_iterator<char>());
    if (text == corpus_fingerprint(options))
      return false;
  }
  generate_corpus(options);
  return true;
}

} // namespace leanspec::bench
