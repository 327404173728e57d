// Implements src/model/markdown.hpp and render_html() of include/leanspec/spec.hpp with
// cmark-gfm and its GFM extensions.
#include "model/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cstdlib>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <mutex>

namespace leanspec {
namespace detail {

MarkdownDocument parse_markdown(std::string_view markdown, int options) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });

  MarkdownDocument doc;
  doc.parser.reset(cmark_parser_new(options));
  if (!doc.parser)
    throw std::bad_alloc();
  for (const char *name : {"table", "strikethrough", "autolink", "tasklist", "tagfilter"})
    if (cmark_syntax_extension *ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(doc.parser.get(), ext);
  cmark_parser_feed(doc.parser.get(), markdown.data(), markdown.size());
  doc.root.reset(cmark_parser_finish(doc.parser.get()));
  if (!doc.root)
    throw Error(ErrorCode::internal, "cmark-gfm could not parse the Markdown");
  return doc;
}

} // namespace detail

std::string render_html(std::string_view markdown, bool allow_raw_html) {
  const int options =
      CMARK_OPT_DEFAULT | CMARK_OPT_GITHUB_PRE_LANG | (allow_raw_html ? CMARK_OPT_UNSAFE : 0);
  const auto doc = detail::parse_markdown(markdown, options);
  struct CharDeleter {
    void operator()(char *s) const noexcept { std::free(s); }
  };
  std::unique_ptr<char, CharDeleter> html(cmark_render_html(
      doc.root.get(), options, cmark_parser_get_syntax_extensions(doc.parser.get())));
  return html ? std::string(html.get()) : std::string();
}

} // namespace leanspec
