// Binds include/leanspec/spec.hpp and version.hpp: render_html() (on the thread pool: a long
// spec takes a while), version(), and the enum texts index.d.ts lists.
#include "addon.hpp"

namespace leanspec::node {
namespace {

// render_html(markdown, allow_raw_html) ->
//   renderHtml(markdown: string, allowRawHtml?: boolean): Promise<string>
Napi::Value render(const Napi::CallbackInfo &info) {
  auto markdown = string_argument(info, 0, "markdown");
  const bool raw = info.Length() > 1 && info[1].ToBoolean().Value();
  return run_async(info.Env(), [markdown = std::move(markdown), raw] {
    return finish_string(render_html(markdown, raw));
  });
}

Napi::Array texts(Napi::Env env, const std::vector<std::string_view> &items) {
  auto array = Napi::Array::New(env, items.size());
  for (std::uint32_t i = 0; i < items.size(); ++i)
    array.Set(i, Napi::String::New(env, items[i].data(), items[i].size()));
  return array;
}

} // namespace

void init_spec(Napi::Env env, Napi::Object exports) {
  exports.Set("renderHtml", Napi::Function::New(env, render, "renderHtml"));
  exports.Set("version", Napi::String::New(env, leanspec::version()));
  std::vector<std::string_view> statuses, priorities, codes;
  for (auto s :
       {Status::draft, Status::planned, Status::in_progress, Status::complete, Status::archived})
    statuses.push_back(to_string(s));
  for (auto p : {Priority::low, Priority::medium, Priority::high, Priority::critical})
    priorities.push_back(to_string(p));
  for (auto c :
       {ErrorCode::invalid_argument, ErrorCode::not_found, ErrorCode::ambiguous, ErrorCode::config,
        ErrorCode::io, ErrorCode::database, ErrorCode::network, ErrorCode::rate_limited,
        ErrorCode::unauthorized, ErrorCode::conflict, ErrorCode::internal})
    codes.push_back(to_string(c));
  exports.Set("statuses", texts(env, statuses));
  exports.Set("priorities", texts(env, priorities));
  exports.Set("errorCodes", texts(env, codes));
}

} // namespace leanspec::node
