// Table: aligned text columns for the leanspec CLI, shrunk to the terminal width on a TTY.
#pragma once

#include "terminal.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace leanspec::cli {

struct Cell {
  std::string text;
  Style style = Style::none;
};

/// Columns are separated by two spaces; the last column is not padded. Widths are display
/// widths, so colour codes and wide characters do not break the alignment.
class Table {
public:
  explicit Table(std::vector<std::string> headers);

  /// Lets `column` shrink down to `min_width` (cells are cut with "…") when the table is wider
  /// than a TTY. Columns that may not shrink keep their full width.
  void shrinkable(std::size_t column, std::size_t min_width);
  /// Adds a row; each cell's text is made single_line() (safe to print, on one line).
  void add_row(std::vector<Cell> cells);
  std::size_t rows() const noexcept { return rows_.size(); }

  /// Appends the header line and every row to `out`.
  void render(std::string &out, const Terminal &terminal) const;

private:
  std::vector<std::string> headers_;
  std::vector<std::size_t> min_widths_; ///< SIZE_MAX: never shrinks
  std::vector<std::vector<Cell>> rows_;
};

} // namespace leanspec::cli
