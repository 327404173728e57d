#pragma once
// Internal: cmark-gfm with the GFM extensions (table, strikethrough, autolink, tasklist,
// tagfilter), parsed once for render_html() and for the checklist of spec_update.hpp.

#include <cmark-gfm.h>
#include <memory>
#include <string_view>

namespace leanspec::detail {

struct CmarkParserDeleter {
  void operator()(cmark_parser *p) const noexcept { cmark_parser_free(p); }
};
struct CmarkNodeDeleter {
  void operator()(cmark_node *n) const noexcept { cmark_node_free(n); }
};

/// A parsed Markdown document and the parser whose extensions rendering needs.
struct MarkdownDocument {
  std::unique_ptr<cmark_parser, CmarkParserDeleter> parser;
  std::unique_ptr<cmark_node, CmarkNodeDeleter> root;
};

/// `markdown` parsed with `options` (CMARK_OPT_*) and the GFM extensions attached.
/// @throws std::bad_alloc, Error internal when cmark-gfm fails
MarkdownDocument parse_markdown(std::string_view markdown, int options);

} // namespace leanspec::detail
