// Implements src/github/webhook.hpp: webhook signatures (OpenSSL HMAC, CRYPTO_memcmp), push
// payloads (simdjson), spec file paths and the sync hint's text form.
#include "github/webhook.hpp"

#include "tree/spec_names.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>
#include <unordered_set>

namespace leanspec::detail {
namespace {

constexpr std::string_view signature_prefix = "sha256=";

std::string hmac_sha256(std::string_view secret, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char *>(body.data()), body.size(), digest, &size))
    throw Error(ErrorCode::internal, "HMAC-SHA256 failed");
  return {reinterpret_cast<const char *>(digest), size};
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool usable_path(std::string_view path) noexcept {
  return !path.empty() && std::none_of(path.begin(), path.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

std::string_view text_field(simdjson::dom::element object, const char *key, bool required) {
  simdjson::dom::element value;
  if (object[key].get(value)) {
    if (required)
      throw Error(ErrorCode::invalid_argument, std::string("push payload: no '") + key + "'");
    return {};
  }
  std::string_view text;
  if (value.get(text))
    throw Error(ErrorCode::invalid_argument,
                std::string("push payload: '") + key + "' is not a string");
  return text;
}

bool bool_field(simdjson::dom::element object, const char *key) {
  simdjson::dom::element value;
  if (object[key].get(value) || value.is_null())
    return false;
  bool b = false;
  if (value.get(b))
    throw Error(ErrorCode::invalid_argument,
                std::string("push payload: '") + key + "' is not a boolean");
  return b;
}

} // namespace

std::string webhook_signature(std::string_view secret, std::string_view body) {
  static constexpr char hex[] = "0123456789abcdef";
  const std::string digest = hmac_sha256(secret, body);
  std::string out(signature_prefix);
  for (const char c : digest) {
    out += hex[static_cast<unsigned char>(c) >> 4];
    out += hex[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

bool signature_matches(const std::vector<std::string> &secrets, std::string_view header,
                       std::string_view body) {
  if (!header.starts_with(signature_prefix) || header.size() != signature_prefix.size() + 64)
    return false;
  unsigned char given[32];
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(header[signature_prefix.size() + 2 * i]);
    const int lo = hex_value(header[signature_prefix.size() + 2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    given[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  bool match = false;
  for (const std::string &secret : secrets) {
    if (secret.empty())
      continue;
    const std::string expected = hmac_sha256(secret, body);
    match |= expected.size() == 32 && CRYPTO_memcmp(expected.data(), given, 32) == 0;
  }
  return match;
}

PushEvent parse_push_event(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(body);
  if (auto error = parser.parse(padded).get(root))
    throw Error(ErrorCode::invalid_argument, std::string("push payload is not valid JSON (") +
                                                 simdjson::error_message(error) + ")");
  if (!root.is_object())
    throw Error(ErrorCode::invalid_argument, "push payload is not a JSON object");
  PushEvent push;
  push.ref = text_field(root, "ref", true);
  push.before = text_field(root, "before", true);
  push.after = text_field(root, "after", true);
  push.forced = bool_field(root, "forced");
  push.created = bool_field(root, "created");
  push.deleted = bool_field(root, "deleted");
  simdjson::dom::element repository;
  if (root["repository"].get(repository) || !repository.is_object())
    throw Error(ErrorCode::invalid_argument, "push payload: no 'repository' object");
  push.repository = text_field(repository, "full_name", true);

  std::unordered_set<std::string> seen_changed, seen_removed;
  auto collect = [&](simdjson::dom::element commit) {
    if (!commit.is_object()) {
      push.paths_usable = false;
      return;
    }
    for (const char *list : {"added", "modified", "removed"}) {
      simdjson::dom::array paths;
      simdjson::dom::element value;
      if (commit[list].get(value))
        continue; // GitHub always lists all three; a missing one means nothing there
      if (value.get(paths)) {
        push.paths_usable = false;
        continue;
      }
      const bool removal = std::string_view(list) == "removed";
      for (simdjson::dom::element item : paths) {
        std::string_view path;
        if (item.get(path) || !usable_path(path)) {
          push.paths_usable = false;
          continue;
        }
        auto &seen = removal ? seen_removed : seen_changed;
        if (seen.emplace(path).second)
          (removal ? push.removed : push.changed).emplace_back(path);
      }
    }
  };
  simdjson::dom::element commits;
  if (!root["commits"].get(commits) && !commits.is_null()) {
    simdjson::dom::array array;
    if (commits.get(array))
      throw Error(ErrorCode::invalid_argument, "push payload: 'commits' is not an array");
    for (simdjson::dom::element commit : array) {
      ++push.commits;
      collect(commit);
    }
  }
  simdjson::dom::element head;
  if (!root["head_commit"].get(head) && !head.is_null())
    collect(head);
  return push;
}

std::optional<std::string_view> relative_to(std::string_view path, std::string_view specs_path) {
  while (specs_path.ends_with('/'))
    specs_path.remove_suffix(1);
  if (specs_path.empty() || specs_path == ".")
    return path;
  if (path.size() > specs_path.size() && path.starts_with(specs_path) &&
      path[specs_path.size()] == '/')
    return path.substr(specs_path.size() + 1);
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> spec_file_of(std::string_view relative) {
  const SpecPlace place = spec_place(relative, false);
  if (place.kind != SpecPlace::Kind::file)
    return std::nullopt;
  return std::pair{std::string(place.folder), std::string(place.name)};
}

std::string encode_hint(const SyncHint &hint) {
  std::string out = hint.before + ' ' + hint.after + '\n';
  for (const auto &path : hint.changed)
    out += '+' + path + '\n';
  for (const auto &path : hint.removed)
    out += '-' + path + '\n';
  return out;
}

std::optional<SyncHint> decode_hint(std::string_view text) {
  const std::size_t eol = text.find('\n');
  if (eol == std::string_view::npos)
    return std::nullopt;
  const std::string_view first = text.substr(0, eol);
  const std::size_t space = first.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == first.size())
    return std::nullopt;
  SyncHint hint;
  hint.before = first.substr(0, space);
  hint.after = first.substr(space + 1);
  text.remove_prefix(eol + 1);
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos || end < 2)
      return std::nullopt;
    const std::string_view line = text.substr(0, end);
    if (line[0] == '+')
      hint.changed.emplace_back(line.substr(1));
    else if (line[0] == '-')
      hint.removed.emplace_back(line.substr(1));
    else
      return std::nullopt;
    text.remove_prefix(end + 1);
  }
  return hint;
}

} // namespace leanspec::detail
