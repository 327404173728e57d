#pragma once
// Internal: AppKey, a GitHub App's RSA private key, and the app's JWT signed with it (RS256
// through OpenSSL's EVP_DigestSign). Used by GithubApp (src/github/github_app.hpp). Immutable
// once made: one key may sign on several threads at once. Never shows key bytes: its errors
// name the option the key came from and what is wrong, nothing more.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace leanspec::detail {

class AppKey {
public:
  /// Parses a PEM private key (PKCS#1 "BEGIN RSA PRIVATE KEY", as GitHub hands it out, or
  /// PKCS#8 "BEGIN PRIVATE KEY"). A key pasted on one line with literal "\n" escapes (an .env
  /// file) is taken too. `option` names where it came from, for errors.
  /// @throws leanspec::Error config "<option>: ..." when the text is not a PEM private key, is
  ///         encrypted, or is not an RSA key (the message shows none of the text)
  static std::shared_ptr<const AppKey> parse(std::string_view pem, std::string_view option);
  ~AppKey();
  AppKey(const AppKey &) = delete;
  AppKey &operator=(const AppKey &) = delete;

  /// The app's JWT for GitHub: RS256, {"iat": now - 60 s (clock drift), "exp": now + 9 min
  /// (GitHub takes at most 10), "iss": "<app id>"}, base64url without padding.
  /// @throws leanspec::Error internal when OpenSSL fails to sign
  std::string jwt(std::int64_t app_id, std::chrono::system_clock::time_point now) const;

  /// RS256 (RSASSA-PKCS1-v1_5 over SHA-256) of `data`, raw signature bytes.
  std::string sign(std::string_view data) const;

private:
  struct Impl;
  explicit AppKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace leanspec::detail
