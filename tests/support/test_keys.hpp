#pragma once
// Keys made at test time with OpenSSL (none is checked in): an RSA key pair for a GitHub App
// (its private key as PEM, PKCS#1 as GitHub hands it out and PKCS#8; its public modulus and
// exponent for the fake GitHub, tests/support/fake_github.py), and a key that is not RSA.

#include <cstdint>
#include <string>

namespace leanspec::test {

struct TestRsaKey {
  std::string pkcs1_pem;   ///< "-----BEGIN RSA PRIVATE KEY-----" (GitHub's download)
  std::string pkcs8_pem;   ///< "-----BEGIN PRIVATE KEY-----"
  std::string modulus_hex; ///< the public key's n, upper-case hex
  std::uint64_t exponent = 0;
};

/// A new RSA key of `bits` bits. @throws std::runtime_error when OpenSSL fails
TestRsaKey make_rsa_key(int bits = 2048);
/// A new P-256 EC private key, PEM (PKCS#8): a valid key GitHub Apps cannot use.
std::string make_ec_key_pem();

} // namespace leanspec::test
