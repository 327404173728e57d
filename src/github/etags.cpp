// Implements src/github/etags.hpp: ETags as JSON, read with simdjson, written with JsonWriter.
#include "github/etags.hpp"

#include "json/json_writer.hpp"
#include <simdjson.h>

namespace leanspec::detail {

std::map<std::string, std::string> read_etags(const std::string &json) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json).get(object))
    return out; // a damaged value only costs a request
  for (auto field : object) {
    std::string_view value;
    if (!field.value.get(value))
      out.emplace(std::string(field.key), std::string(value));
  }
  return out;
}

std::string write_etags(const std::map<std::string, std::string> &etags) {
  detail::JsonWriter writer;
  writer.begin_object();
  for (const auto &[url, etag] : etags)
    writer.key(url).value(etag);
  writer.end_object();
  return writer.out();
}

} // namespace leanspec::detail
