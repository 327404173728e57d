// Implements git_blob_sha1() of include/leanspec/spec.hpp with OpenSSL's SHA-1.
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <memory>
#include <openssl/evp.h>
#include <string>

namespace leanspec {

namespace {

struct MdFree {
  void operator()(EVP_MD *md) const noexcept { EVP_MD_free(md); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX *ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// OpenSSL 3 looks an algorithm up in its provider tables (under a lock) on every implicit
// fetch: fetch SHA-1 once per process and keep one context per thread.
const EVP_MD *sha1() {
  static const std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  return md.get();
}

} // namespace

std::string git_blob_sha1(std::string_view content) {
  thread_local const std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  const std::string header = "blob " + std::to_string(content.size()) + '\0';
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || !sha1() || EVP_DigestInit_ex(ctx.get(), sha1(), nullptr) != 1 ||
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
