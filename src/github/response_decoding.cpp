// Implements src/github/response_decoding.hpp: base64 and JSON of GitHub's answers.
#include "github/response_decoding.hpp"

#include "github/sync_failure.hpp"

#include <memory>
#include <openssl/evp.h>

namespace leanspec::detail {

std::optional<std::string> decode_base64(std::string_view text) {
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                      &EVP_ENCODE_CTX_free);
  if (!ctx)
    return std::nullopt;
  EVP_DecodeInit(ctx.get());
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int written = 0, tail = 0;
  const std::size_t step = 1u << 20; // EVP_DecodeUpdate takes an int length
  std::size_t total = 0;
  for (std::size_t at = 0; at < text.size(); at += step) {
    const std::size_t n = std::min(step, text.size() - at);
    if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &written,
                         reinterpret_cast<const unsigned char *>(text.data()) + at,
                         static_cast<int>(n)) < 0)
      return std::nullopt;
    total += static_cast<std::size_t>(written);
  }
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &tail) < 0)
    return std::nullopt;
  total += static_cast<std::size_t>(tail);
  out.resize(total);
  return out;
}

std::string decode_file(std::string_view content, std::size_t max_size, const std::string &what) {
  const auto too_large = [&] {
    return SyncFailure{what + ": larger than the " + std::to_string(max_size) + "-byte limit"};
  };
  // 4 characters for 3 bytes, and line breaks: more than twice that cannot fit.
  if (content.size() / 2 > max_size / 3 * 4 + 4)
    throw too_large();
  auto decoded = decode_base64(content);
  if (!decoded)
    throw SyncFailure{what + ": invalid base64 content"};
  if (decoded->size() > max_size)
    throw too_large();
  return std::move(*decoded);
}

simdjson::dom::element parse_json(simdjson::dom::parser &parser, const std::string &body,
                                  const std::string &what) {
  simdjson::dom::element root;
  if (auto error = parser.parse(body).get(root))
    throw SyncFailure{what + ": GitHub sent invalid JSON (" + simdjson::error_message(error) + ")"};
  return root;
}

std::string_view json_text(simdjson::dom::element object, const char *key,
                           const std::string &what) {
  std::string_view text;
  if (object[key].get(text))
    throw SyncFailure{what + ": '" + key + "' missing or not a string"};
  return text;
}

} // namespace leanspec::detail
