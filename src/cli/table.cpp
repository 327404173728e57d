// Aligned table rendering of the leanspec CLI (see table.hpp).
#include "table.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace leanspec::cli {

namespace {
constexpr std::size_t separator = 2;
constexpr std::size_t fixed = SIZE_MAX;
} // namespace

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), min_widths_(headers_.size(), fixed) {}

void Table::shrinkable(std::size_t column, std::size_t min_width) {
  if (column < min_widths_.size())
    min_widths_[column] = min_width;
}

void Table::add_row(std::vector<Cell> cells) {
  cells.resize(headers_.size());
  for (auto &cell : cells)
    cell.text = single_line(cell.text); // before widths are measured: escapes take columns
  rows_.push_back(std::move(cells));
}

void Table::render(std::string &out, const Terminal &terminal) const {
  const std::size_t columns = headers_.size();
  if (columns == 0)
    return;
  std::vector<std::size_t> widths(columns);
  std::vector<std::vector<std::size_t>> cell_widths(rows_.size(),
                                                    std::vector<std::size_t>(columns));
  for (std::size_t c = 0; c < columns; ++c)
    widths[c] = display_width(headers_[c]);
  for (std::size_t r = 0; r < rows_.size(); ++r)
    for (std::size_t c = 0; c < columns; ++c) {
      cell_widths[r][c] = display_width(rows_[r][c].text);
      widths[c] = std::max(widths[c], cell_widths[r][c]);
    }

  // On a TTY, shrink the widest shrinkable column one step at a time until the line fits.
  if (terminal.width() > 0) {
    auto total = [&] {
      return std::accumulate(widths.begin(), widths.end(), std::size_t{0}) +
             separator * (columns - 1);
    };
    while (total() > terminal.width()) {
      std::size_t widest = columns;
      for (std::size_t c = 0; c < columns; ++c)
        if (min_widths_[c] != fixed && widths[c] > min_widths_[c] &&
            (widest == columns || widths[c] > widths[widest]))
          widest = c;
      if (widest == columns)
        break;
      --widths[widest];
    }
  }

  std::size_t estimate = 0;
  for (std::size_t w : widths)
    estimate += w + separator;
  out.reserve(out.size() + estimate * (rows_.size() + 1));

  auto emit = [&](std::size_t c, const std::string &text, std::size_t width, Style style) {
    const bool last = c + 1 == columns;
    if (width > widths[c]) {
      std::string cut = truncate_to_width(text, widths[c]);
      width = display_width(cut);
      terminal.paint(out, cut, style);
    } else {
      terminal.paint(out, text, style);
    }
    if (!last)
      out.append(widths[c] - width + separator, ' ');
  };
  auto finish_line = [&] {
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    out += '\n';
  };

  for (std::size_t c = 0; c < columns; ++c)
    emit(c, headers_[c], display_width(headers_[c]), Style::bold);
  finish_line();
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    for (std::size_t c = 0; c < columns; ++c)
      emit(c, rows_[r][c].text, cell_widths[r][c], rows_[r][c].style);
    finish_line();
  }
}

} // namespace leanspec::cli
