#pragma once
// Internal: a project's stored ETags (src/github/etags.cpp), one JSON object of request path ->
// ETag, sent back as If-None-Match so that an unchanged answer is a 304 (no rate-limit cost).

#include <map>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// The ETags of `json`; a damaged value reads as none (it only costs a request).
std::map<std::string, std::string> read_etags(const std::string &json);
/// The JSON object read_etags reads.
std::string write_etags(const std::map<std::string, std::string> &etags);

} // namespace leanspec::detail
