// Implements tests/support/test_keys.hpp with OpenSSL 3: EVP_PKEY_Q_keygen, OSSL_ENCODER for
// the PEM forms, EVP_PKEY_get_bn_param for the public numbers.
#include "support/test_keys.hpp"

#include <memory>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <stdexcept>

namespace leanspec::test {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY *key) const noexcept { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string pem_of(EVP_PKEY *key, const char *structure) {
  OSSL_ENCODER_CTX *ctx =
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", structure, nullptr);
  unsigned char *data = nullptr;
  std::size_t size = 0;
  const bool ok = ctx && OSSL_ENCODER_to_data(ctx, &data, &size) == 1;
  OSSL_ENCODER_CTX_free(ctx);
  if (!ok)
    throw std::runtime_error("test key: PEM encoding failed");
  std::string pem(reinterpret_cast<char *>(data), size);
  OPENSSL_free(data);
  return pem;
}

} // namespace

TestRsaKey make_rsa_key(int bits) {
  const PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!key)
    throw std::runtime_error("test key: RSA key generation failed");
  TestRsaKey out;
  out.pkcs1_pem = pem_of(key.get(), "type-specific");
  out.pkcs8_pem = pem_of(key.get(), "PrivateKeyInfo");
  BIGNUM *n = nullptr, *e = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1)
    throw std::runtime_error("test key: no RSA parameters");
  char *hex = BN_bn2hex(n);
  out.modulus_hex = hex;
  OPENSSL_free(hex);
  out.exponent = BN_get_word(e);
  BN_free(n);
  BN_free(e);
  return out;
}

std::string make_ec_key_pem() {
  const PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key)
    throw std::runtime_error("test key: EC key generation failed");
  return pem_of(key.get(), "PrivateKeyInfo");
}

} // namespace leanspec::test
