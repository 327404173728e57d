// Implements git_blob_sha1() of include/leanspec/spec.hpp with OpenSSL's SHA-1.
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>

#include <openssl/evp.h>

#include <memory>
#include <string>

namespace leanspec {

std::string git_blob_sha1(std::string_view content) {
  using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  const Ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const std::string header = "blob " + std::to_string(content.size()) + '\0';
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), content.data(), content.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
    throw Error(ErrorCode::internal, "SHA-1 digest failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

} // namespace leanspec
