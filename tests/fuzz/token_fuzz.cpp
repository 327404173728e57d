// libFuzzer target: GITHUB_TOKEN validation (checked_token, src/github/github_client.hpp).
// Properties: only leanspec::Error (config) is thrown, and its message names GITHUB_TOKEN and
// shows nothing of the token; an accepted token is the input without surrounding whitespace
// and holds no space or control character (nothing that could end a header line).
// Seeds: corpus/token. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "fuzz_check.hpp"
#include "github/github_client.hpp"

#include <cstddef>
#include <cstdint>
#include <leanspec/error.hpp>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string input = "ghp_" + std::string(reinterpret_cast<const char *>(data), size);
  for (const std::string &token : {input, " \t" + input + "\r\n"}) {
    std::string accepted;
    try {
      accepted = leanspec::detail::checked_token(token);
    } catch (const leanspec::Error &e) {
      const std::string_view message = e.what();
      if (e.code() != leanspec::ErrorCode::config)
        leanspec::fuzz::fail("a refused token is not a config error", message);
      if (message.find("GITHUB_TOKEN") == std::string_view::npos)
        leanspec::fuzz::fail("the error does not name GITHUB_TOKEN", message);
      if (message.find("ghp_") != std::string_view::npos)
        leanspec::fuzz::fail("the error shows the token", message);
      for (const char c : message)
        if (static_cast<unsigned char>(c) < 0x20)
          leanspec::fuzz::fail("the error holds a control character", message);
      continue;
    }
    for (const char c : accepted)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
        leanspec::fuzz::fail("an accepted token holds a space or control character", accepted);
    const std::size_t at = token.find(accepted);
    const auto blank = [](std::string_view s) {
      return s.find_first_not_of(" \t\n\r\v\f") == std::string_view::npos;
    };
    if (accepted.empty() || at == std::string::npos ||
        !blank(std::string_view(token).substr(0, at)) ||
        !blank(std::string_view(token).substr(at + accepted.size())))
      leanspec::fuzz::fail("the accepted token is not the input trimmed", token);
  }
  return 0;
}
