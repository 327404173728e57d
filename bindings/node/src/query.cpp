// Binds include/leanspec/query.hpp: JS option objects -> ListQuery, SearchQuery, Filter. Every
// bad key or value is an Error with code "invalid_argument" naming it.
#include "addon.hpp"

#include <cmath>

namespace leanspec::node {
namespace {

std::string describe(const char *what, const char *key) { return std::string(what) + "." + key; }

// A string or an array of strings, parsed by `parse` each.
template <class T, class Parse>
std::vector<T> one_or_many(const Napi::Object &o, const char *key, const char *what, Parse parse) {
  std::vector<T> out;
  const auto value = o.Get(key);
  if (value.IsUndefined() || value.IsNull())
    return out;
  const auto one = [&](const Napi::Value &v) {
    if (!v.IsString())
      throw_invalid(o.Env(), describe(what, key) + ": expected a string or an array of strings");
    const auto text = v.As<Napi::String>().Utf8Value();
    const auto parsed = parse(text);
    if (!parsed)
      throw_invalid(o.Env(), describe(what, key) + ": unknown value '" + text + "'");
    out.push_back(*parsed);
  };
  if (value.IsArray()) {
    const auto array = value.As<Napi::Array>();
    for (std::uint32_t i = 0; i < array.Length(); ++i)
      one(array.Get(i));
  } else {
    one(value);
  }
  return out;
}

Filter read_filter(const Napi::Object &o, const char *what) {
  Filter filter;
  filter.statuses = one_or_many<Status>(o, "status", what, parse_status);
  filter.priorities = one_or_many<Priority>(o, "priority", what, parse_priority);
  filter.tags = one_or_many<std::string>(
      o, "tags", what, [](const std::string &t) { return std::optional<std::string>(t); });
  if (auto all = optional_bool(o, "tagsMatchAll", what)) // deprecated: tagsMatch
    filter.tags_match = *all ? TagsMatch::all : TagsMatch::any;
  if (auto match = optional_string(o, "tagsMatch", what)) {
    const auto parsed = parse_tags_match(*match);
    if (!parsed)
      throw_invalid(o.Env(), describe(what, "tagsMatch") + ": expected 'all' or 'any'");
    filter.tags_match = *parsed;
  }
  filter.assignee = optional_string(o, "assignee", what);
  filter.archived = optional_bool(o, "archived", what);
  return filter;
}

} // namespace

Napi::Object options_object(Napi::Env env, const Napi::Value &value, const char *what,
                            std::initializer_list<std::string_view> known) {
  if (value.IsUndefined() || value.IsNull())
    return Napi::Object::New(env);
  if (!value.IsObject() || value.IsArray() || value.IsFunction())
    throw_invalid(env, std::string(what) + ": expected an object");
  const auto object = value.As<Napi::Object>();
  const auto names = object.GetPropertyNames();
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    const auto name = names.Get(i).ToString().Utf8Value();
    bool found = false;
    for (const auto k : known)
      found = found || k == name;
    if (!found)
      throw_invalid(env, std::string(what) + ": unknown option '" + name + "'");
  }
  return object;
}

std::optional<std::string> optional_string(const Napi::Object &o, const char *key,
                                           const char *what) {
  const auto value = o.Get(key);
  if (value.IsUndefined() || value.IsNull())
    return std::nullopt;
  if (!value.IsString())
    throw_invalid(o.Env(), describe(what, key) + ": expected a string");
  return value.As<Napi::String>().Utf8Value();
}

std::optional<bool> optional_bool(const Napi::Object &o, const char *key, const char *what) {
  const auto value = o.Get(key);
  if (value.IsUndefined() || value.IsNull())
    return std::nullopt;
  if (!value.IsBoolean())
    throw_invalid(o.Env(), describe(what, key) + ": expected a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::optional<std::uint64_t> optional_count(const Napi::Object &o, const char *key,
                                            const char *what) {
  const auto value = o.Get(key);
  if (value.IsUndefined() || value.IsNull())
    return std::nullopt;
  const double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(number >= 0 && number <= 9007199254740991.0) || std::floor(number) != number)
    throw_invalid(o.Env(), describe(what, key) + ": expected a non-negative integer");
  return static_cast<std::uint64_t>(number);
}

std::string string_argument(const Napi::CallbackInfo &info, std::size_t index, const char *name) {
  if (info.Length() <= index || !info[index].IsString())
    throw_invalid(info.Env(), std::string(name) + ": expected a string");
  return info[index].As<Napi::String>().Utf8Value();
}

std::string optional_string_argument(const Napi::CallbackInfo &info, std::size_t index,
                                     const char *name) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull())
    return {};
  return string_argument(info, index, name);
}

ListQuery list_query(Napi::Env env, const Napi::Value &value) {
  constexpr const char *what = "list query";
  const auto o =
      options_object(env, value, what,
                     {"projectId", "status", "priority", "tags", "tagsMatch", "tagsMatchAll",
                      "assignee", "archived", "sort", "descending", "limit", "cursor"});
  ListQuery query;
  query.project_id = optional_string(o, "projectId", what).value_or("");
  query.filter = read_filter(o, what);
  if (auto key = optional_string(o, "sort", what)) {
    const auto parsed = parse_sort_key(*key);
    if (!parsed)
      throw_invalid(env, std::string(what) + ".sort: unknown key '" + *key + "'");
    query.sort.key = *parsed;
  }
  query.sort.descending = optional_bool(o, "descending", what).value_or(false);
  query.limit = optional_count(o, "limit", what).value_or(0);
  query.cursor = optional_string(o, "cursor", what).value_or("");
  return query;
}

SearchQuery search_query(Napi::Env env, const Napi::Value &text, const Napi::Value &options) {
  constexpr const char *what = "search options";
  if (!text.IsString())
    throw_invalid(env, "query: expected a string");
  const auto o = options_object(env, options, what,
                                {"projectId", "status", "priority", "tags", "tagsMatch",
                                 "tagsMatchAll", "assignee", "archived", "limit", "cursor"});
  SearchQuery query;
  query.text = text.As<Napi::String>().Utf8Value();
  query.project_id = optional_string(o, "projectId", what).value_or("");
  query.filter = read_filter(o, what);
  if (auto limit = optional_count(o, "limit", what))
    query.limit = *limit;
  query.cursor = optional_string(o, "cursor", what).value_or("");
  return query;
}

NewSpec new_spec(Napi::Env env, const Napi::Value &value) {
  constexpr const char *what = "spec";
  if (!value.IsObject())
    throw_invalid(env, "spec: expected an object with a title");
  const auto o = options_object(
      env, value, what, {"title", "slug", "status", "priority", "tags", "assignee", "body"});
  NewSpec spec;
  auto title = optional_string(o, "title", what);
  if (!title)
    throw_invalid(env, "spec.title: expected a string");
  spec.title = std::move(*title);
  spec.slug = optional_string(o, "slug", what).value_or("");
  if (auto text = optional_string(o, "status", what)) {
    const auto status = parse_status(*text);
    if (!status)
      throw_invalid(env, describe(what, "status") + ": unknown value '" + *text + "'");
    spec.status = *status;
  }
  if (auto text = optional_string(o, "priority", what)) {
    spec.priority = parse_priority(*text);
    if (!spec.priority)
      throw_invalid(env, describe(what, "priority") + ": unknown value '" + *text + "'");
  }
  spec.tags = one_or_many<std::string>(o, "tags", what,
                                       [](const std::string &t) { return std::optional(t); });
  spec.assignee = optional_string(o, "assignee", what).value_or("");
  spec.body = optional_string(o, "body", what).value_or("");
  return spec;
}

SpecUpdate spec_update(Napi::Env env, const Napi::Value &value) {
  constexpr const char *what = "update";
  const auto o = options_object(env, value, what,
                                {"status", "priority", "tagsAdd", "tagsRemove", "dependsOnAdd",
                                 "dependsOnRemove", "parent", "assignee", "fields", "body"});
  SpecUpdate update;
  if (auto text = optional_string(o, "status", what)) {
    update.status = parse_status(*text);
    if (!update.status)
      throw_invalid(env, describe(what, "status") + ": unknown value '" + *text + "'");
  }
  if (auto text = optional_string(o, "priority", what)) {
    update.priority = parse_priority(*text);
    if (!update.priority)
      throw_invalid(env, describe(what, "priority") + ": unknown value '" + *text + "'");
  }
  const auto text = [](const std::string &t) { return std::optional<std::string>(t); };
  update.tags_add = one_or_many<std::string>(o, "tagsAdd", what, text);
  update.tags_remove = one_or_many<std::string>(o, "tagsRemove", what, text);
  update.depends_on_add = one_or_many<std::string>(o, "dependsOnAdd", what, text);
  update.depends_on_remove = one_or_many<std::string>(o, "dependsOnRemove", what, text);
  update.parent = optional_string(o, "parent", what);
  update.assignee = optional_string(o, "assignee", what);
  update.body = optional_string(o, "body", what);
  const auto fields = o.Get("fields");
  if (!fields.IsUndefined() && !fields.IsNull()) {
    if (!fields.IsObject() || fields.IsArray())
      throw_invalid(env, describe(what, "fields") + ": expected an object of strings or nulls");
    const auto object = fields.As<Napi::Object>();
    const auto keys = object.GetPropertyNames();
    for (std::uint32_t i = 0; i < keys.Length(); ++i) {
      const auto key = keys.Get(i).As<Napi::String>().Utf8Value();
      const auto v = object.Get(key);
      if (v.IsNull())
        update.fields[key] = std::nullopt;
      else if (v.IsString())
        update.fields[key] = v.As<Napi::String>().Utf8Value();
      else
        throw_invalid(env, describe(what, "fields") + "." + key + ": expected a string or null");
    }
  }
  return update;
}

} // namespace leanspec::node
