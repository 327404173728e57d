// Implements git_blob_sha1() of include/leanspec/spec.hpp with OpenSSL's SHA-1.
//
// Through OpenSSL's one-algorithm SHA1_* functions, not EVP: the first EVP fetch of a process
// loads openssl.cnf and fills the provider name tables (5.3 million instructions, half of a
// `leanspec show`), and a fetched EVP_MD kept in a static is freed by exit() under threads
// still hashing. SHA1_* are deprecated in OpenSSL 3 in favour of EVP but kept, and compute the
// same digest with the same assembly; the declarations are asked for without the warning.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <openssl/sha.h>
#include <string>

namespace leanspec {

std::string git_blob_sha1(std::string_view content) {
  const std::string header = "blob " + std::to_string(content.size()) + '\0';
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA_CTX ctx;
  if (SHA1_Init(&ctx) != 1 || SHA1_Update(&ctx, header.data(), header.size()) != 1 ||
      SHA1_Update(&ctx, content.data(), content.size()) != 1 || SHA1_Final(digest, &ctx) != 1)
    throw Error(ErrorCode::internal, "SHA-1 digest failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(2 * SHA_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

} // namespace leanspec
