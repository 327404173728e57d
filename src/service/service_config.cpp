// Implements ServiceConfig of include/leanspec/specs_service.hpp: reading the environment and
// checking a configuration, collecting every problem before one Error(config) reports them all.
#include "db/database_url.hpp"
#include "github/github_app.hpp"
#include "github/github_client.hpp"

#include <charconv>
#include <cstdlib>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/specs_service.hpp>
#include <limits>

namespace leanspec {

namespace {

// The variable's value, or empty when unset.
std::string env(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

// A value shown in a message: quoted and cut short (never used for secrets).
std::string shown(std::string_view value) {
  std::string out = "'";
  out += value.substr(0, 80);
  if (value.size() > 80)
    out += "...";
  return out + "'";
}

bool has_control(std::string_view text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return true;
  return false;
}

std::string join_lines(const std::vector<std::string> &problems) {
  std::string text = problems.size() == 1 ? "bad configuration: " : "bad configuration:";
  for (const auto &p : problems)
    text += (problems.size() == 1 ? "" : "\n  ") + p;
  return text;
}

} // namespace

std::string_view to_string(SpecsMode mode) noexcept {
  switch (mode) {
  case SpecsMode::filesystem:
    return "filesystem";
  case SpecsMode::database:
    return "database";
  case SpecsMode::both:
    return "both";
  }
  return "filesystem";
}

std::optional<SpecsMode> parse_specs_mode(std::string_view text) noexcept {
  for (SpecsMode mode : {SpecsMode::filesystem, SpecsMode::database, SpecsMode::both})
    if (text == to_string(mode))
      return mode;
  return std::nullopt;
}

ServiceConfig ServiceConfig::from_env() {
  ServiceConfig config;
  std::vector<std::string> problems;

  if (const std::string mode = env("SPECS_MODE"); !mode.empty()) {
    if (const auto parsed = parse_specs_mode(mode))
      config.mode = *parsed;
    else
      problems.push_back("SPECS_MODE: " + shown(mode) +
                         " is not one of filesystem, database, both");
  }
  config.specs_dir = env("SPECS_DIR");
  config.database_url = env("DATABASE_URL");
  config.github_token = env("GITHUB_TOKEN");
  try { // a pasted newline around the token goes; one inside is a problem below
    config.github_token = detail::checked_token(config.github_token);
  } catch (const Error &) {
  }
  try {
    const detail::GithubAppSettings app = detail::app_settings_from_env();
    config.github_app_id = app.app_id;
    config.github_app_private_key = app.private_key;
    config.github_app_private_key_file = app.private_key_file;
    config.github_app_installation_id = app.installation_id;
  } catch (const Error &e) {
    problems.push_back(e.what()); // an id that is not a number, named
  }
  if (std::string api = env("GITHUB_API_URL"); !api.empty())
    config.github_api_url = std::move(api);
  // CACHE_TTL is CACHE_TTL_MS's deprecated name, read for one release when the new one is unset.
  const char *ttl_name = env("CACHE_TTL_MS").empty() ? "CACHE_TTL" : "CACHE_TTL_MS";
  if (const std::string ttl = env(ttl_name); !ttl.empty()) {
    long long ms = -1;
    const auto [end, ec] = std::from_chars(ttl.data(), ttl.data() + ttl.size(), ms);
    if (ec != std::errc() || end != ttl.data() + ttl.size() || ms < 0)
      problems.push_back(std::string(ttl_name) + ": " + shown(ttl) +
                         " is not a number of milliseconds (a non-negative integer)");
    else
      config.cache_ttl = std::chrono::milliseconds(ms);
  }
  if (const std::string deadline = env("SYNC_DEADLINE_MS"); !deadline.empty()) {
    long long ms = -1;
    const auto [end, ec] = std::from_chars(deadline.data(), deadline.data() + deadline.size(), ms);
    if (ec != std::errc() || end != deadline.data() + deadline.size() || ms <= 0)
      problems.push_back("SYNC_DEADLINE_MS: " + shown(deadline) +
                         " is not a number of milliseconds (a positive integer)");
    else
      config.sync_deadline = std::chrono::milliseconds(ms);
  }
  if (const std::string bytes = env("SPECS_CACHE_BYTES"); !bytes.empty()) {
    unsigned long long n = 0;
    const auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), n);
    if (ec != std::errc() || end != bytes.data() + bytes.size() ||
        n > std::numeric_limits<std::size_t>::max())
      problems.push_back("SPECS_CACHE_BYTES: " + shown(bytes) +
                         " is not a number of bytes (a non-negative integer; 0 keeps no "
                         "project in memory)");
    else
      config.cache_bytes = static_cast<std::size_t>(n);
  }
  const std::string secret = env("WEBHOOK_SECRET");
  const std::string previous = env("WEBHOOK_SECRET_PREVIOUS");
  if (!secret.empty())
    config.webhook_secrets.push_back(secret);
  if (!previous.empty()) {
    if (secret.empty())
      problems.push_back("WEBHOOK_SECRET_PREVIOUS: set without WEBHOOK_SECRET (the previous "
                         "secret of a rotation needs the new one beside it)");
    config.webhook_secrets.push_back(previous);
  }
  config.revalidation_secret = env("REVALIDATION_SECRET");

  for (auto &p : config.problems())
    problems.push_back(std::move(p));
  if (!problems.empty())
    throw Error(ErrorCode::config, join_lines(problems));
  return config;
}

std::vector<std::string> ServiceConfig::problems() const {
  std::vector<std::string> out;
  const bool reads_files = mode != SpecsMode::database;
  const bool reads_database = mode != SpecsMode::filesystem;

  if (reads_files) {
    std::filesystem::path dir = specs_dir;
    std::string origin = "SPECS_DIR: ";
    if (dir.empty()) {
      origin = "SPECS_DIR (unset; looked for .lean-spec/config.json, else ./specs): ";
      try {
        dir = discover_options(".").specs_dir;
      } catch (const Error &e) {
        out.push_back(origin + e.what());
        dir.clear();
      }
    }
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
      out.push_back(origin + shown(dir.string()) + " is not a directory");
  }
  if (reads_database) {
    try {
      (void)detail::parse_database_url(database_url);
    } catch (const Error &e) {
      out.push_back(
          std::string(database_url.empty() ? "DATABASE_URL (unset): " : "DATABASE_URL: ") +
          e.what());
    }
  }
  if (github_api_url.rfind("https://", 0) != 0 && github_api_url.rfind("http://", 0) != 0)
    out.push_back("GITHUB_API_URL: " + shown(detail::redact_url(github_api_url)) +
                  " is not an http:// or https:// URL");
  else if (has_control(github_api_url))
    out.push_back("GITHUB_API_URL: holds control characters");
  try {
    (void)detail::checked_token(github_token);
  } catch (const Error &e) {
    out.push_back(e.what()); // names GITHUB_TOKEN, never shows it
  }
  const detail::GithubAppSettings app{github_app_id, github_app_private_key,
                                      github_app_private_key_file, github_app_installation_id};
  if (app.is_set()) {
    if (!github_token.empty())
      out.push_back("GITHUB_TOKEN and a GitHub App (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, ...) "
                    "are both set; give one of the two");
    try {
      (void)detail::load_app_key(app);
    } catch (const Error &e) {
      out.push_back(e.what()); // names the option, never shows the key
    }
  }
  if (webhook_secrets.size() > 2)
    out.push_back("WEBHOOK_SECRET: " + std::to_string(webhook_secrets.size()) +
                  " secrets given; at most two (the current and the previous) may be active");
  for (std::size_t i = 0; i < webhook_secrets.size(); ++i) {
    const char *name = i == 0 ? "WEBHOOK_SECRET" : "WEBHOOK_SECRET_PREVIOUS";
    if (webhook_secrets[i].empty())
      out.push_back(std::string(name) + ": is empty");
    else if (has_control(webhook_secrets[i]))
      out.push_back(std::string(name) + ": holds control characters (a pasted newline?)");
  }
  if (has_control(revalidation_secret))
    out.push_back("REVALIDATION_SECRET: holds control characters (a pasted newline?)");
  if (cache_ttl.count() < 0)
    out.push_back("CACHE_TTL_MS: " + std::to_string(cache_ttl.count()) + " is negative");
  if (probe_interval.count() <= 0)
    out.push_back("probe_interval: " + std::to_string(probe_interval.count()) +
                  " ms is not positive");
  if (sync_lease_ttl < std::chrono::milliseconds(300))
    out.push_back("sync_lease_ttl: " + std::to_string(sync_lease_ttl.count()) +
                  " ms is shorter than 300 ms");
  if (sync_poll.count() <= 0)
    out.push_back("sync_poll: " + std::to_string(sync_poll.count()) + " ms is not positive");
  if (sync_deadline.count() <= 0)
    out.push_back("SYNC_DEADLINE_MS: " + std::to_string(sync_deadline.count()) +
                  " is not positive");
  return out;
}

} // namespace leanspec
