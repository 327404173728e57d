// Implements AppKey of src/github/app_key.hpp with OpenSSL: PEM_read_bio_PrivateKey (no
// passphrase prompt: an encrypted key is refused), EVP_DigestSign with SHA-256 for RS256.
#include "github/app_key.hpp"

#include "core/base64url.hpp"

#include <leanspec/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace leanspec::detail {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY *key) const noexcept { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO *bio) const noexcept { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX *ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// Refuses every passphrase: OpenSSL would otherwise ask on the terminal.
int no_passphrase(char *, int, int, void *) { return -1; }

// "\n" escapes of a key pasted on one line become newlines (only when no newline is there).
std::string unescaped(std::string_view pem) {
  std::string text(pem);
  if (text.find('\n') != std::string::npos)
    return text;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

} // namespace

struct AppKey::Impl {
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
};

AppKey::AppKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AppKey::~AppKey() = default;

std::shared_ptr<const AppKey> AppKey::parse(std::string_view pem, std::string_view option) {
  const std::string where(option);
  if (pem.find("-----BEGIN") == std::string_view::npos)
    throw Error(ErrorCode::config, where + ": not a PEM private key (no \"-----BEGIN\" line)");
  if (pem.find("ENCRYPTED") != std::string_view::npos)
    throw Error(ErrorCode::config,
                where + ": the private key is encrypted; give the key GitHub generated, "
                        "without a passphrase");
  const std::string text = unescaped(pem);
  const std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio)
    throw Error(ErrorCode::internal, where + ": OpenSSL could not allocate a buffer");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
  ERR_clear_error(); // OpenSSL's own messages are not shown: they may quote the input
  if (!key)
    throw Error(ErrorCode::config, where + ": not a readable PEM private key");
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
    throw Error(ErrorCode::config,
                where + ": not an RSA key (GitHub Apps sign their JWT with RS256)");
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return std::shared_ptr<const AppKey>(new AppKey(std::move(impl)));
}

std::string AppKey::sign(std::string_view data) const {
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  std::string signature;
  const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());
  bool ok = ctx &&
            EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                        bytes, data.size()) == 1;
    signature.resize(length);
  }
  ERR_clear_error();
  if (!ok)
    throw Error(ErrorCode::internal, "the GitHub App's JWT could not be signed (OpenSSL)");
  return signature;
}

std::string AppKey::jwt(std::int64_t app_id, std::chrono::system_clock::time_point now) const {
  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string header = base64url(R"({"alg":"RS256","typ":"JWT"})");
  const std::string claims = base64url("{\"iat\":" + std::to_string(seconds - 60) +
                                       ",\"exp\":" + std::to_string(seconds + 540) + ",\"iss\":\"" +
                                       std::to_string(app_id) + "\"}");
  const std::string signing_input = header + "." + claims;
  return signing_input + "." + base64url(sign(signing_input));
}

} // namespace leanspec::detail
