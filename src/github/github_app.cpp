// Implements src/github/github_app.hpp: the app settings (environment, checks), the app's own
// requests with its JWT, the installation lookup and token cache, and the two credentials a
// sync uses (the installation's token; the JWT for the app endpoints).
#include "github/github_app.hpp"

#include "github/repo_paths.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <leanspec/error.hpp>
#include <simdjson.h>
#include <sstream>

namespace leanspec::detail {

namespace {

using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

std::string env(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

std::string app_name(std::int64_t app_id) { return "GitHub App " + std::to_string(app_id); }

// A fresh JWT for each request to the app endpoints (on the system clock: GitHub checks its
// iat and exp against its own). Thread-safe.
class JwtCredential final : public Credential {
public:
  JwtCredential(std::shared_ptr<const AppKey> key, std::int64_t app_id)
      : key_(std::move(key)), app_id_(app_id) {}
  std::string token() override {
    std::string jwt = key_->jwt(app_id_, SystemClock::now());
    const std::lock_guard lock(mutex_);
    issued_.push_back(jwt);
    return jwt;
  }
  bool rejected(const std::string &) override { return false; }
  std::string budget_key() override { return "app:" + std::to_string(app_id_); }
  std::string refused_text() const override {
    return app_name(app_id_) + "'s JWT was refused: check the app id and private key";
  }
  std::vector<std::string> secrets() const override {
    const std::lock_guard lock(mutex_);
    return issued_;
  }

private:
  std::shared_ptr<const AppKey> key_;
  std::int64_t app_id_;
  mutable std::mutex mutex_;
  std::vector<std::string> issued_;
};

// One sync's credential: the installation token of the project's repository. Used by one
// client on one thread, but budget_key() and secrets() may come from another: locked.
class InstallationCredential final : public Credential {
public:
  InstallationCredential(GithubApp &app, std::string owner, std::string repo,
                         SteadyClock::time_point deadline)
      : app_(app), owner_(std::move(owner)), repo_(std::move(repo)), deadline_(deadline) {}

  std::string token() override {
    const std::int64_t installation = installation_id();
    std::string token = app_.installation_token(installation, deadline_);
    const std::lock_guard lock(mutex_);
    if (std::find(issued_.begin(), issued_.end(), token) == issued_.end())
      issued_.push_back(token);
    return token;
  }
  bool rejected(const std::string &token) override {
    app_.forget(installation_id(), token);
    return true;
  }
  std::string budget_key() override { return installation_budget_key(installation_id()); }
  std::string refused_text() const override {
    std::int64_t installation = 0;
    {
      const std::lock_guard lock(mutex_);
      installation = installation_;
    }
    return app_name(app_.app_id()) + "'s installation token" +
           (installation ? " (installation " + std::to_string(installation) + ")" : "") +
           " was refused, also when fetched anew: the app was uninstalled or suspended, or "
           "lost access to " +
           owner_ + "/" + repo_;
  }
  std::vector<std::string> secrets() const override {
    const std::lock_guard lock(mutex_);
    return issued_;
  }

private:
  std::int64_t installation_id() {
    {
      const std::lock_guard lock(mutex_);
      if (installation_)
        return installation_;
    }
    const std::int64_t id = app_.installation_of(owner_, repo_, deadline_);
    const std::lock_guard lock(mutex_);
    installation_ = id;
    return id;
  }

  GithubApp &app_;
  const std::string owner_, repo_;
  const SteadyClock::time_point deadline_;
  mutable std::mutex mutex_;
  std::int64_t installation_ = 0;
  std::vector<std::string> issued_;
};

// "2016-07-11T22:14:10Z" as a point in time; nullopt when it is not that form.
std::optional<SystemClock::time_point> parse_expires_at(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  const std::string copy(text.substr(0, 40));
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z' || copy.size() != 20 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      s > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return SystemClock::from_time_t(::timegm(&tm));
}

// Why an app request failed, as an Error: rate limits, transport failures, refusals.
[[noreturn]] void refuse(const GithubResponse &response, const std::string &what,
                         const std::string &meaning_of_404) {
  if (response.is_rate_limited())
    throw Error(ErrorCode::rate_limited, what + ": GitHub rate limit reached");
  if (!response.error.empty())
    throw Error(ErrorCode::network, what + ": " + response.error);
  const std::string status = "HTTP " + std::to_string(response.status);
  switch (response.status) {
  case 401:
    throw Error(ErrorCode::unauthorized,
                what + ": GitHub refused the app's JWT (" + status +
                    "): check the app id and private key (the app may have been deleted)");
  case 403:
    throw Error(ErrorCode::unauthorized,
                what + ": forbidden (" + status + "): the installation may be suspended");
  case 404:
    throw Error(ErrorCode::unauthorized, what + ": not found (" + status + "): " + meaning_of_404);
  default:
    throw Error(ErrorCode::network, what + ": unexpected " + status);
  }
}

} // namespace

bool GithubAppSettings::is_set() const noexcept {
  return app_id != 0 || !private_key.empty() || !private_key_file.empty() || installation_id != 0;
}

std::optional<std::int64_t> parse_app_id(std::string_view text) noexcept {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
    return std::nullopt;
  return value;
}

GithubAppSettings app_settings_from_env() {
  GithubAppSettings settings;
  const auto id = [](const char *name) -> std::int64_t {
    const std::string text = env(name);
    if (text.empty())
      return 0;
    if (const auto value = parse_app_id(text))
      return *value;
    throw Error(ErrorCode::config, std::string(name) + ": '" + text.substr(0, 40) +
                                       (text.size() > 40 ? "..." : "") +
                                       "' is not a number (a positive integer)");
  };
  settings.app_id = id("GITHUB_APP_ID");
  settings.private_key = env("GITHUB_APP_PRIVATE_KEY");
  settings.private_key_file = env("GITHUB_APP_PRIVATE_KEY_FILE");
  settings.installation_id = id("GITHUB_APP_INSTALLATION_ID");
  return settings;
}

std::shared_ptr<const AppKey> load_app_key(const GithubAppSettings &settings) {
  if (settings.app_id <= 0)
    throw Error(ErrorCode::config,
                "app_id (GITHUB_APP_ID): a GitHub App needs its id (a positive integer)");
  if (settings.private_key.empty() == settings.private_key_file.empty())
    throw Error(ErrorCode::config,
                "app_private_key (GITHUB_APP_PRIVATE_KEY) / app_private_key_file "
                "(GITHUB_APP_PRIVATE_KEY_FILE): give exactly one of the two");
  if (!settings.private_key.empty())
    return AppKey::parse(settings.private_key, "app_private_key (GITHUB_APP_PRIVATE_KEY)");
  const std::string where = "app_private_key_file (GITHUB_APP_PRIVATE_KEY_FILE)";
  std::ifstream file(settings.private_key_file, std::ios::binary);
  std::ostringstream text;
  if (!file || !(text << file.rdbuf()))
    throw Error(ErrorCode::config, where + ": cannot read '" + settings.private_key_file + "'");
  if (text.str().size() > 64 * 1024)
    throw Error(ErrorCode::config, where + ": '" + settings.private_key_file +
                                       "' is larger than a private key (64 KiB)");
  return AppKey::parse(text.str(), where + " '" + settings.private_key_file + "'");
}

GithubApp::GithubApp(GithubAppSettings settings, GithubClientOptions http, Clock clock)
    : settings_(std::move(settings)), key_(load_app_key(settings_)), http_(std::move(http)),
      clock_(clock ? std::move(clock) : Clock([] { return SystemClock::now(); })) {
  http_.token.clear();
  http_.credential.reset();
}

std::shared_ptr<Credential> GithubApp::credential(std::string owner, std::string repo,
                                                  SteadyClock::time_point deadline) {
  return std::make_shared<InstallationCredential>(*this, std::move(owner), std::move(repo),
                                                  deadline);
}

GithubResponse GithubApp::app_request(const std::string &method, const std::string &path,
                                      SteadyClock::time_point deadline) {
  GithubClientOptions options = http_;
  options.credential = std::make_shared<JwtCredential>(key_, settings_.app_id);
  options.deadline = std::min(options.deadline, deadline);
  GithubClient client(std::move(options));
  return client.fetch({.path = path, .method = method});
}

std::optional<std::int64_t> GithubApp::known_installation(const std::string &owner,
                                                          const std::string &repo) {
  if (settings_.installation_id)
    return settings_.installation_id;
  const std::lock_guard lock(mutex_);
  if (const auto it = installations_.find(owner + "/" + repo); it != installations_.end())
    return it->second;
  return std::nullopt;
}

std::int64_t GithubApp::installation_of(const std::string &owner, const std::string &repo,
                                        SteadyClock::time_point deadline) {
  if (settings_.installation_id)
    return settings_.installation_id;
  const std::string full = owner + "/" + repo;
  const std::lock_guard lock(mutex_);
  if (const auto it = installations_.find(full); it != installations_.end())
    return it->second;
  const std::string what = app_name(settings_.app_id) + ": the installation for " + full;
  const GithubResponse response = app_request(
      "GET", "/repos/" + url_escape(owner, false) + "/" + url_escape(repo, false) + "/installation",
      deadline);
  if (response.status != 200 || !response.error.empty())
    refuse(response, what, "the app is not installed on " + full);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::int64_t id = 0;
  if (parser.parse(response.body).get(root) || root["id"].get(id) || id <= 0)
    throw Error(ErrorCode::network, what + ": GitHub's answer holds no installation id");
  installations_[full] = id;
  return id;
}

std::string GithubApp::installation_token(std::int64_t installation,
                                          SteadyClock::time_point deadline) {
  const std::lock_guard lock(mutex_);
  if (const auto it = tokens_.find(installation);
      it != tokens_.end() && clock_() < it->second.refresh_at)
    return it->second.token;
  return fetch_token(installation, deadline);
}

std::string GithubApp::fetch_token(std::int64_t installation, SteadyClock::time_point deadline) {
  const std::string what =
      app_name(settings_.app_id) + ": a token for installation " + std::to_string(installation);
  const auto asked = clock_();
  const GithubResponse response = app_request(
      "POST", "/app/installations/" + std::to_string(installation) + "/access_tokens", deadline);
  if (response.status != 201 || !response.error.empty()) {
    tokens_.erase(installation);
    if (response.status == 404) // uninstalled: a new installation is looked up next time
      std::erase_if(installations_,
                    [&](const auto &entry) { return entry.second == installation; });
    refuse(response, what, "the app was uninstalled, or the installation id is wrong");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view token, expires;
  if (parser.parse(response.body).get(root) || root["token"].get(token) ||
      root["expires_at"].get(expires))
    throw Error(ErrorCode::network, what + ": GitHub's answer lacks token or expires_at");
  std::string checked;
  try {
    checked = checked_token(token);
  } catch (const Error &) {
    throw Error(ErrorCode::network, what + ": GitHub's token holds spaces or control characters");
  }
  const auto expires_at = parse_expires_at(expires);
  if (checked.empty() || !expires_at)
    throw Error(ErrorCode::network,
                what + ": GitHub's answer has an empty token or an expires_at that is not "
                       "YYYY-MM-DDTHH:MM:SSZ");
  // Refreshed a minute before it expires, or halfway through a shorter life; never kept past
  // an hour (GitHub's tokens live one).
  const auto life = std::min<SystemClock::duration>(*expires_at - asked, std::chrono::hours(1));
  const auto margin = std::min<SystemClock::duration>(std::chrono::minutes(1), life / 2);
  tokens_[installation] = {checked, asked + life - margin};
  return checked;
}

void GithubApp::forget(std::int64_t installation, const std::string &token) {
  const std::lock_guard lock(mutex_);
  if (const auto it = tokens_.find(installation); it != tokens_.end() && it->second.token == token)
    tokens_.erase(it);
}

} // namespace leanspec::detail
