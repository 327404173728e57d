#pragma once
// Internal: GitHub App authentication beside personal tokens. GithubAppSettings (the app's id,
// private key and optional installation id, from SyncOptions or the environment), and
// GithubApp: the app's JWT (src/github/app_key.hpp) for GitHub's app endpoints, each
// repository's installation looked up once (GET /repos/{o}/{r}/installation), and installation
// tokens (POST /app/installations/{id}/access_tokens) cached per installation until shortly
// before their expires_at. A sync asks it for a Credential (src/github/credential.hpp) per
// project; a 401 to a cached token drops it and the next request fetches another.
// Thread-safe: one GithubApp serves every scheduler worker (fetches are serialized under its
// lock, so a token expiring under many workers is fetched once).

#include "github/app_key.hpp"
#include "github/credential.hpp"
#include "github/github_client.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace leanspec::detail {

struct GithubAppSettings {
  std::int64_t app_id = 0;          ///< GITHUB_APP_ID; 0: no app
  std::string private_key;          ///< GITHUB_APP_PRIVATE_KEY: PEM text
  std::string private_key_file;     ///< GITHUB_APP_PRIVATE_KEY_FILE: a PEM file
  std::int64_t installation_id = 0; ///< GITHUB_APP_INSTALLATION_ID; 0: looked up per repository
  /// True when any field is set.
  bool is_set() const noexcept;
};

/// The environment's GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_FILE and
/// GITHUB_APP_INSTALLATION_ID (unset or empty: unset).
/// @throws leanspec::Error config naming the variable when an id is not a positive integer
GithubAppSettings app_settings_from_env();

/// Parses a positive decimal id (an app or installation id); nullopt otherwise.
std::optional<std::int64_t> parse_app_id(std::string_view text) noexcept;

/// Checks complete settings and reads the key: an app id, exactly one of the key and the key
/// file, a readable file, a PEM RSA private key. Names the option and its variable.
/// @throws leanspec::Error config "app_private_key_file (GITHUB_APP_PRIVATE_KEY_FILE): ..."
///         and the like; never shows key bytes
std::shared_ptr<const AppKey> load_app_key(const GithubAppSettings &settings);

class GithubApp {
public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// `http`: the api_url, timeouts and retries of the app's own requests (its token and
  /// credential are not used). `clock` (tests): now, for the token cache's expiry (the JWT is
  /// always made on the system clock, which GitHub checks it against); unset: the system clock.
  /// @throws leanspec::Error config as load_app_key()
  GithubApp(GithubAppSettings settings, GithubClientOptions http, Clock clock = {});
  GithubApp(const GithubApp &) = delete;
  GithubApp &operator=(const GithubApp &) = delete;

  /// The credential of one sync of owner/repo: its installation's token. `deadline`: the sync's
  /// (the app's requests count against it too). It refers to this GithubApp: it must not
  /// outlive it.
  std::shared_ptr<Credential> credential(std::string owner, std::string repo,
                                         std::chrono::steady_clock::time_point deadline =
                                             std::chrono::steady_clock::time_point::max());

  /// The installation serving owner/repo: the configured one, else looked up once (cached).
  /// @throws leanspec::Error unauthorized when the app is not installed there or GitHub refuses
  ///         the app's JWT; network or rate_limited when the lookup fails
  std::int64_t installation_of(const std::string &owner, const std::string &repo,
                               std::chrono::steady_clock::time_point deadline);
  /// The installation serving owner/repo if known without a request (configured, or looked up
  /// before); else nullopt.
  std::optional<std::int64_t> known_installation(const std::string &owner, const std::string &repo);
  /// The installation's token: the cached one unless it expires within the margin (a minute,
  /// or half the token's lifetime when shorter), else a new one.
  /// @throws leanspec::Error as installation_of()
  std::string installation_token(std::int64_t installation,
                                 std::chrono::steady_clock::time_point deadline);
  /// Drops `token` if it is the installation's cached one (GitHub answered 401 to it).
  void forget(std::int64_t installation, const std::string &token);

  std::int64_t app_id() const noexcept { return settings_.app_id; }

private:
  struct Cached {
    std::string token;
    std::chrono::system_clock::time_point refresh_at; // expires_at less the margin
  };
  // A request with the app's JWT; the response's errors redacted.
  GithubResponse app_request(const std::string &method, const std::string &path,
                             std::chrono::steady_clock::time_point deadline);
  std::string fetch_token(std::int64_t installation,
                          std::chrono::steady_clock::time_point deadline);

  GithubAppSettings settings_;
  std::shared_ptr<const AppKey> key_;
  GithubClientOptions http_;
  Clock clock_;
  std::mutex mutex_; // guards the maps; held across a fetch (one fetch at a time)
  std::map<std::string, std::int64_t> installations_; // "owner/repo" -> installation id
  std::map<std::int64_t, Cached> tokens_;
};

} // namespace leanspec::detail
