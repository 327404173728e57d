// libFuzzer target: arbitrary bytes as a GitHub push webhook payload (src/github/webhook.hpp).
// Properties: parse_push_event() returns an event or throws leanspec::Error (anything else, or a
// crash, is a bug); every path it lists is free of control characters; spec_file_of() of each
// path (relative to "specs") is a folder and a name that rebuild the path; a hint built from the
// event survives encode_hint/decode_hint unchanged; the signature check accepts the payload's
// own signature and refuses it under another secret.
// Seeds: corpus/webhook. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "fuzz_check.hpp"
#include "github/webhook.hpp"

#include <cstddef>
#include <cstdint>
#include <leanspec/error.hpp>
#include <string>
#include <string_view>

namespace {

using namespace leanspec::detail;

void check_paths(const std::vector<std::string> &paths) {
  for (const std::string &path : paths) {
    for (const char c : path)
      if (static_cast<unsigned char>(c) < 0x20)
        leanspec::fuzz::fail("a listed path holds a control character", path);
    const auto relative = relative_to(path, "specs");
    if (!relative)
      continue;
    if (const auto place = spec_file_of(*relative))
      if (place->first + "/" + place->second != *relative)
        leanspec::fuzz::fail("spec_file_of does not rebuild its path", path);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char *>(data), size);
  PushEvent push;
  try {
    push = parse_push_event(body);
  } catch (const leanspec::Error &) {
    return 0;
  }
  check_paths(push.changed);
  check_paths(push.removed);
  if (push.before.find_first_of(" \n") == std::string::npos &&
      push.after.find_first_of(" \n") == std::string::npos && !push.before.empty() &&
      !push.after.empty()) {
    const SyncHint hint{push.before, push.after, push.changed, push.removed};
    const auto decoded = decode_hint(encode_hint(hint));
    if (!decoded || decoded->before != hint.before || decoded->after != hint.after ||
        decoded->changed != hint.changed || decoded->removed != hint.removed)
      leanspec::fuzz::fail("hint does not round-trip");
  }
  const std::string signature = webhook_signature("fuzz-secret", body);
  if (!signature_matches({"other", "fuzz-secret"}, signature, body))
    leanspec::fuzz::fail("the payload's own signature is refused");
  if (signature_matches({"other"}, signature, body))
    leanspec::fuzz::fail("a signature under another secret is accepted");
  return 0;
}
