// Implements TokenCredential and the rate-budget keys of src/github/credential.hpp (SHA-256
// through OpenSSL's one-shot EVP_Digest).
#include "github/credential.hpp"

#include <leanspec/error.hpp>
#include <openssl/evp.h>

namespace leanspec::detail {

std::string token_budget_key(std::string_view token) {
  if (token.empty())
    return "anonymous";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
      length < 6)
    throw Error(ErrorCode::internal, "SHA-256 failed (OpenSSL)");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "token:";
  for (unsigned int i = 0; i < 6; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string installation_budget_key(std::int64_t installation_id) {
  return "installation:" + std::to_string(installation_id);
}

std::string TokenCredential::budget_key() { return token_budget_key(token_); }

std::vector<std::string> TokenCredential::secrets() const {
  if (token_.empty())
    return {};
  return {token_};
}

} // namespace leanspec::detail
