// Implements capi/convert.hpp: JSON arguments in (simdjson DOM). Results are the library's
// to_json() (include/leanspec/json.hpp), the same bytes every front-end prints.
#include "convert.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <simdjson.h>

namespace leanspec::capi {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

[[noreturn]] void bad(const std::string &where, const std::string &what) {
  throw Error(ErrorCode::invalid_argument, where + ": " + what);
}

// A parsed JSON argument: NULL and "" are the empty object; anything else must be an object.
class Input {
public:
  Input(const char *json, const char *argument) : argument_(argument) {
    if (json == nullptr || *json == '\0')
      return;
    element root;
    if (auto error = parser_.parse(json, std::strlen(json)).get(root))
      bad(argument_, std::string("not valid JSON (") + simdjson::error_message(error) + ")");
    if (root.get(object_))
      bad(argument_, "must be a JSON object");
    has_object_ = true;
  }

  /// The "id" member, or empty.
  std::string id() const {
    std::string_view id;
    if (has_object_ && !object_["id"].get(id))
      return std::string(id);
    return {};
  }

  /// Calls `handle(key, value, where)` for each member; `handle` returns false for an unknown key.
  template <class Handle> void each(Handle &&handle) const {
    if (!has_object_)
      return;
    for (const auto field : object_) {
      const std::string where = argument_ + "." + std::string(field.key);
      if (!handle(field.key, field.value, where))
        bad(argument_, "unknown key '" + std::string(field.key) + "'");
    }
  }

private:
  std::string argument_;
  simdjson::dom::parser parser_;
  object object_;
  bool has_object_ = false;
};

std::string text(element value, const std::string &where) {
  std::string_view s;
  if (value.get(s))
    bad(where, "must be a string");
  return std::string(s);
}
bool boolean(element value, const std::string &where) {
  bool b = false;
  if (value.get(b))
    bad(where, "must be true or false");
  return b;
}
std::uint64_t count(element value, const std::string &where) {
  std::uint64_t n = 0;
  if (value.get(n))
    bad(where, "must be a non-negative integer");
  return n;
}
// A string or an array of strings.
std::vector<std::string> texts(element value, const std::string &where) {
  std::vector<std::string> out;
  if (value.is_string())
    return {text(value, where)};
  simdjson::dom::array items;
  if (value.get(items))
    bad(where, "must be a string or an array of strings");
  for (const auto item : items)
    out.push_back(text(item, where));
  return out;
}

// The filter keys shared by list and search; false when `key` is not one of them.
bool filter_member(Filter &filter, std::string_view key, element value, const std::string &where) {
  if (key == "status") {
    for (const auto &s : texts(value, where)) {
      const auto status = parse_status(s);
      if (!status)
        bad(where, "unknown status '" + s + "'");
      filter.statuses.push_back(*status);
    }
  } else if (key == "priority") {
    for (const auto &p : texts(value, where)) {
      const auto priority = parse_priority(p);
      if (!priority)
        bad(where, "unknown priority '" + p + "'");
      filter.priorities.push_back(*priority);
    }
  } else if (key == "tags") {
    filter.tags = texts(value, where);
  } else if (key == "tagsMatch") {
    const auto match = text(value, where);
    const auto parsed = parse_tags_match(match);
    if (!parsed)
      bad(where, "must be \"all\" or \"any\"");
    filter.tags_match = *parsed;
  } else if (key == "assignee") {
    filter.assignee = text(value, where);
  } else if (key == "archived") {
    filter.archived = boolean(value, where);
  } else {
    return false;
  }
  return true;
}

} // namespace

ListQuery parse_list_query(const char *json, const char *argument) {
  ListQuery query;
  Input(json, argument).each([&](std::string_view key, element value, const std::string &where) {
    if (key == "projectId") {
      query.project_id = text(value, where);
    } else if (key == "sort") {
      const auto name = text(value, where);
      const auto sort_key = parse_sort_key(name);
      if (!sort_key)
        bad(where, "unknown sort key '" + name + "'");
      query.sort.key = *sort_key;
    } else if (key == "descending") {
      query.sort.descending = boolean(value, where);
    } else if (key == "limit") {
      query.limit = count(value, where);
    } else if (key == "cursor") {
      query.cursor = text(value, where);
    } else {
      return filter_member(query.filter, key, value, where);
    }
    return true;
  });
  return query;
}

SearchQuery parse_search_options(const char *json, const char *argument) {
  SearchQuery query;
  Input(json, argument).each([&](std::string_view key, element value, const std::string &where) {
    if (key == "projectId")
      query.project_id = text(value, where);
    else if (key == "limit")
      query.limit = count(value, where);
    else if (key == "cursor")
      query.cursor = text(value, where);
    else
      return filter_member(query.filter, key, value, where);
    return true;
  });
  return query;
}

namespace {
// Calls `set(key, value, where)` for each settings key of a project's JSON ("branch",
// "specsPath", "syncIntervalMs"); "id" goes to `id`.
template <class Set>
void project_members(const char *json, const char *argument, std::string &id, Set &&set) {
  Input(require(json, argument), argument)
      .each([&](std::string_view key, element value, const std::string &where) {
        if (key == "id")
          id = text(value, where);
        else if (key == "branch" || key == "specsPath" || key == "syncIntervalMs")
          set(key, value, where);
        else
          return false;
        return true;
      });
  if (id.empty())
    bad(argument, "\"id\" is required");
}

std::chrono::seconds interval(element value, const std::string &where) {
  return std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::milliseconds(count(value, where)));
}
} // namespace

RegisteredProject parse_project(const char *json, const char *argument) {
  RegisteredProject project;
  project_members(json, argument, project.id,
                  [&](std::string_view key, element value, const std::string &where) {
                    if (key == "branch")
                      project.branch = text(value, where);
                    else if (key == "specsPath")
                      project.specs_path = text(value, where);
                    else
                      project.sync_interval = interval(value, where);
                  });
  return project;
}

std::pair<std::string, ProjectPatch> parse_project_patch(const char *json, const char *argument) {
  std::pair<std::string, ProjectPatch> out;
  auto &patch = out.second;
  project_members(json, argument, out.first,
                  [&](std::string_view key, element value, const std::string &where) {
                    if (key == "branch")
                      patch.branch = text(value, where);
                    else if (key == "specsPath")
                      patch.specs_path = text(value, where);
                    else
                      patch.sync_interval = interval(value, where);
                  });
  return out;
}

SpecUpdate parse_spec_update(const char *json, const char *argument) {
  SpecUpdate update;
  Input(json, argument).each([&](std::string_view key, element value, const std::string &where) {
    if (key == "status") {
      update.status = parse_status(text(value, where));
      if (!update.status)
        bad(where, "unknown status '" + text(value, where) + "'");
    } else if (key == "priority") {
      update.priority = parse_priority(text(value, where));
      if (!update.priority)
        bad(where, "unknown priority '" + text(value, where) + "'");
    } else if (key == "tagsAdd") {
      update.tags_add = texts(value, where);
    } else if (key == "tagsRemove") {
      update.tags_remove = texts(value, where);
    } else if (key == "dependsOnAdd") {
      update.depends_on_add = texts(value, where);
    } else if (key == "dependsOnRemove") {
      update.depends_on_remove = texts(value, where);
    } else if (key == "parent") {
      update.parent = text(value, where);
    } else if (key == "assignee") {
      update.assignee = text(value, where);
    } else if (key == "body") {
      update.body = text(value, where);
    } else if (key == "fields") {
      simdjson::dom::object fields;
      if (value.get(fields))
        bad(where, "must be an object of strings or nulls");
      for (const auto field : fields) {
        const std::string name(field.key);
        if (field.value.is_null())
          update.fields[name] = std::nullopt;
        else
          update.fields[name] = text(field.value, where + "." + name);
      }
    } else {
      return false;
    }
    return true;
  });
  return update;
}

NewSpec parse_new_spec(const char *json, const char *argument) {
  NewSpec spec;
  bool titled = false;
  Input(json, argument).each([&](std::string_view key, element value, const std::string &where) {
    if (key == "title") {
      spec.title = text(value, where);
      titled = true;
    } else if (key == "slug") {
      spec.slug = text(value, where);
    } else if (key == "status") {
      const auto status = parse_status(text(value, where));
      if (!status)
        bad(where, "unknown status '" + text(value, where) + "'");
      spec.status = *status;
    } else if (key == "priority") {
      spec.priority = parse_priority(text(value, where));
      if (!spec.priority)
        bad(where, "unknown priority '" + text(value, where) + "'");
    } else if (key == "tags") {
      spec.tags = texts(value, where);
    } else if (key == "assignee") {
      spec.assignee = text(value, where);
    } else if (key == "body") {
      spec.body = text(value, where);
    } else {
      return false;
    }
    return true;
  });
  if (!titled)
    bad(std::string(argument) + ".title", "is required");
  return spec;
}

ServiceConfig parse_service_config(const char *json, const char *argument) {
  if (json == nullptr || *json == '\0')
    return ServiceConfig::from_env();
  ServiceConfig config;
  using std::chrono::milliseconds;
  Input(json, argument).each([&](std::string_view key, element value, const std::string &where) {
    if (key == "mode") {
      const auto text_value = text(value, where);
      const auto mode = parse_specs_mode(text_value);
      if (!mode)
        bad(where, "must be \"filesystem\", \"database\" or \"both\"");
      config.mode = *mode;
    } else if (key == "specsDir") {
      config.specs_dir = text(value, where);
    } else if (key == "databaseUrl") {
      config.database_url = text(value, where);
    } else if (key == "githubToken") {
      config.github_token = text(value, where);
    } else if (key == "githubAppId") {
      config.github_app_id = static_cast<std::int64_t>(count(value, where));
    } else if (key == "githubAppPrivateKey") {
      config.github_app_private_key = text(value, where);
    } else if (key == "githubAppPrivateKeyFile") {
      config.github_app_private_key_file = text(value, where);
    } else if (key == "githubAppInstallationId") {
      config.github_app_installation_id = static_cast<std::int64_t>(count(value, where));
    } else if (key == "githubApiUrl") {
      config.github_api_url = text(value, where);
    } else if (key == "cacheTtlMs") {
      config.cache_ttl = milliseconds(count(value, where));
    } else if (key == "webhookSecrets") {
      config.webhook_secrets = texts(value, where);
    } else if (key == "revalidationSecret") {
      config.revalidation_secret = text(value, where);
    } else if (key == "probeIntervalMs") {
      config.probe_interval = milliseconds(count(value, where));
    } else if (key == "syncDeadlineMs") {
      config.sync_deadline = milliseconds(count(value, where));
    } else {
      return false;
    }
    return true;
  });
  return config;
}

std::vector<std::pair<std::string, std::string>> header_pairs(const leanspec_header *headers,
                                                              std::size_t count) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (count == 0)
    return pairs;
  require(headers, "headers");
  pairs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string where = "headers[" + std::to_string(i) + "]";
    pairs.emplace_back(require(headers[i].name, (where + ".name").c_str()),
                       require(headers[i].value, (where + ".value").c_str()));
  }
  return pairs;
}

void set_string(leanspec_string *out, std::string_view text) {
  auto *data = static_cast<char *>(std::malloc(text.size() + 1));
  if (data == nullptr)
    throw std::bad_alloc();
  std::memcpy(data, text.data(), text.size());
  data[text.size()] = '\0';
  *out = {data, text.size()};
}

} // namespace leanspec::capi
