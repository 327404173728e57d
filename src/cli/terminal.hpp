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

  /// Appends `text` to `out`, wrapped in the escape codes of `style` when colour is on.
  void paint(std::string &out, std::string_view text, Style style) const;

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
/// `text` on one line: every run of spaces and control characters (newlines, tabs) becomes
/// one space; no leading or trailing space.
std::string single_line(std::string_view text);

} // namespace leanspec::cli
