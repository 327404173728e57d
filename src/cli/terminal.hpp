// Terminal facts for the leanspec CLI (TTY, colour, width) and display-width text helpers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leanspec::cli {

enum class Style { none, bold, dim, red, green, yellow, blue, magenta, cyan };

/// What stdout is. Colour is on only when stdout is a TTY and NO_COLOR is not set.
class Terminal {
public:
  /// Inspects stdout and the environment (NO_COLOR, COLUMNS).
  static Terminal detect() noexcept;
  /// A plain, unlimited-width terminal (for pipes and files).
  Terminal() = default;
  Terminal(bool is_tty, bool colour, std::size_t width) noexcept
      : is_tty_(is_tty), colour_(colour), width_(width) {}

  bool is_tty() const noexcept { return is_tty_; }
  bool has_colour() const noexcept { return colour_; }
  /// Columns available for a line; 0 when unlimited (not a TTY).
  std::size_t width() const noexcept { return width_; }

  /// Appends single_line(text) to `out`, wrapped in the escape codes of `style` when colour is
  /// on.
  void paint(std::string &out, std::string_view text, Style style) const;

  /// `output` as it may reach this terminal: escaped as single_line() does, but tabs and line
  /// ends (LF, CR before LF) stay, and so do the escape codes paint() writes when colour is on.
  /// main() (and watch, which prints as it goes) put every human-readable byte through it, so
  /// no path from a spec to the terminal can skip the escaping.
  std::string safe(std::string_view output) const;

private:
  bool is_tty_ = false;
  bool colour_ = false;
  std::size_t width_ = 0;
};

/// Columns `text` takes on a terminal (UTF-8; wide East Asian and emoji characters count 2,
/// combining marks 0; an invalid byte counts 1).
std::size_t display_width(std::string_view text) noexcept;
/// The longest prefix of `text` that fits in `width` columns, ending in "…" when cut.
std::string truncate_to_width(std::string_view text, std::size_t width);
/// `text` on one line, safe to print: every run of spaces, tabs and line ends (LF, CR, VT, FF)
/// becomes one space, with no leading or trailing space, and every character a terminal would
/// act on is shown as an escape instead: C0 controls and DEL as `\x1b`, C1 controls (U+0080 to
/// U+009F; U+009B is a CSI), the bidi controls (U+061C, U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069) and the line and paragraph separators (U+2028, U+2029) as `\u009b`, an
/// invalid UTF-8 byte as `\xff`. Spec text comes from anyone (a synced GitHub repository): it
/// must not retitle, clear or reorder the user's terminal. Every field of a spec a command
/// prints (id, title, tags, assignee, dates, refs, names, messages) goes through it;
/// idempotent.
std::string single_line(std::string_view text);

} // namespace leanspec::cli
