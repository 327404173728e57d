// Implements render_html() of include/leanspec/spec.hpp with cmark-gfm and its GFM extensions.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cstdlib>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <memory>
#include <mutex>

namespace leanspec {
namespace {

struct ParserDeleter {
  void operator()(cmark_parser *p) const noexcept { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node *n) const noexcept { cmark_node_free(n); }
};
struct CharDeleter {
  void operator()(char *s) const noexcept { std::free(s); }
};

constexpr const char *extensions[] = {"table", "strikethrough", "autolink", "tasklist",
                                      "tagfilter"};

} // namespace

std::string render_html(std::string_view markdown, bool allow_raw_html) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });

  const int options =
      CMARK_OPT_DEFAULT | CMARK_OPT_GITHUB_PRE_LANG | (allow_raw_html ? CMARK_OPT_UNSAFE : 0);
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(options));
  if (!parser)
    throw std::bad_alloc();
  for (const char *name : extensions)
    if (cmark_syntax_extension *ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeDeleter> document(cmark_parser_finish(parser.get()));
  if (!document)
    throw Error(ErrorCode::internal, "cmark-gfm could not parse the Markdown");
  std::unique_ptr<char, CharDeleter> html(
      cmark_render_html(document.get(), options, cmark_parser_get_syntax_extensions(parser.get())));
  return html ? std::string(html.get()) : std::string();
}

} // namespace leanspec
