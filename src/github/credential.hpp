#pragma once
// Internal: Credential, what GithubClient (src/github/github_client.hpp) asks for the token of
// each request it sends to the API's host: a personal token (TokenCredential, below) or a
// GitHub App's installation token or JWT (src/github/github_app.hpp). Each also names the rate
// budget its requests count against (budget_key), one budget per token or per installation.
// Thread-safety: each implementation says; GithubClient calls one from its own thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

class Credential {
public:
  virtual ~Credential() = default;
  /// The token to send now as `Authorization: Bearer` (empty: none). May do HTTP (an
  /// installation token is fetched when none is cached or it is about to expire).
  /// @throws leanspec::Error unauthorized, network or rate_limited when it cannot be had
  virtual std::string token() = 0;
  /// The API answered 401 to `token`: it is forgotten. True when asking token() again may give
  /// a working one (the request is then sent once more); false for a fixed token.
  virtual bool rejected(const std::string &token) = 0;
  /// The key of the rate budget this credential's requests count against:
  /// "token:<first 12 hex digits of the token's SHA-256>", "installation:<id>", or "anonymous".
  /// May do HTTP (an app's installation looked up for its repository).
  virtual std::string budget_key() = 0;
  /// What it is, for an error after a 401 ("the token is missing, wrong or expired").
  virtual std::string refused_text() const = 0;
  /// Every token this credential handed out so far, to scrub from messages.
  virtual std::vector<std::string> secrets() const = 0;
};

/// A fixed token (GITHUB_TOKEN), or none. Thread-safe (immutable).
class TokenCredential final : public Credential {
public:
  explicit TokenCredential(std::string token) : token_(std::move(token)) {}
  std::string token() override { return token_; }
  bool rejected(const std::string &) override { return false; }
  std::string budget_key() override;
  std::string refused_text() const override { return "the token is missing, wrong or expired"; }
  std::vector<std::string> secrets() const override;

private:
  std::string token_;
};

/// "token:<first 12 hex digits of SHA-256(token)>"; "anonymous" for an empty token.
/// @throws leanspec::Error internal when OpenSSL fails
std::string token_budget_key(std::string_view token);
/// "installation:<id>".
std::string installation_budget_key(std::int64_t installation_id);

} // namespace leanspec::detail
