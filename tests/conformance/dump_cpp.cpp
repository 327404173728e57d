// The C++ front-end of tests/conformance, the reference (see conformance.py for the protocol).
#include <iostream>
#include <leanspec/leanspec.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace leanspec;

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);)
    parts.push_back(part);
  return parts;
}

ListQuery list_query(const std::string &args) {
  ListQuery q;
  for (const auto &token : split(args, ' ')) {
    const auto eq = token.find('=');
    if (eq == std::string::npos)
      continue;
    const auto key = token.substr(0, eq), value = token.substr(eq + 1);
    if (key == "status")
      for (const auto &s : split(value, ','))
        q.filter.statuses.push_back(parse_status(s).value());
    else if (key == "priority")
      for (const auto &p : split(value, ','))
        q.filter.priorities.push_back(parse_priority(p).value());
    else if (key == "tags")
      q.filter.tags = split(value, ',');
    else if (key == "tagsMatch")
      q.filter.tags_match = parse_tags_match(value).value();
    else if (key == "assignee")
      q.filter.assignee = value;
    else if (key == "archived")
      q.filter.archived = value == "true";
    else if (key == "sort")
      q.sort.key = parse_sort_key(value).value();
    else if (key == "descending")
      q.sort.descending = value == "true";
    else if (key == "limit")
      q.limit = std::stoul(value);
  }
  return q;
}

std::string run(const SpecSource &source, const std::string &line) {
  const auto space = line.find(' ');
  const auto op = line.substr(0, space);
  const auto rest = space == std::string::npos ? std::string() : line.substr(space + 1);
  if (op == "list")
    return to_json(*source.list(list_query(rest)));
  if (op == "get") {
    const auto spec = source.get(rest);
    return spec ? to_json(*spec) : "null";
  }
  if (op == "search") {
    const auto limit_end = rest.find(' ');
    SearchQuery q{.text = rest.substr(limit_end + 1),
                  .limit = std::stoul(rest.substr(0, limit_end))};
    return to_json(*source.search(q));
  }
  if (op == "stats")
    return to_json(*source.stats());
  throw std::runtime_error("unknown operation " + line);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: dump_cpp <specs dir> <project id>\n";
    return 2;
  }
  const auto source = make_filesystem_source({.specs_dir = argv[1], .project_id = argv[2]});
  for (std::string line; std::getline(std::cin, line);) {
    try {
      std::cout << run(*source, line) << '\n';
    } catch (const Error &e) {
      std::cout << "error " << to_string(e.code()) << ": " << e.what() << '\n';
    }
  }
  return 0;
}
