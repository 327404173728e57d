// Terminal detection and display-width text helpers of the leanspec CLI (see terminal.hpp).
#include "terminal.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <sys/ioctl.h>
#include <unistd.h>

namespace leanspec::cli {

namespace {

// Decodes one UTF-8 sequence at text[i]; advances i. Invalid bytes decode as U+FFFD, length 1.
char32_t decode(std::string_view text, std::size_t &i) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80           ? 1
                       : (lead >> 5) == 0x6  ? 2
                       : (lead >> 4) == 0xE  ? 3
                       : (lead >> 3) == 0x1E ? 4
                                             : 0;
  if (length == 0 || i + length > text.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return cp;
}

int codepoint_width(char32_t cp) noexcept {
  if (cp == 0)
    return 0;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
    return 0;
  if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
      (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
      (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0x2060 || (cp >= 0xE0100 && cp <= 0xE01EF))
    return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x231A && cp <= 0x231B) ||
      (cp >= 0x23E9 && cp <= 0x23EC) || cp == 0x23F0 || cp == 0x23F3 ||
      (cp >= 0x25FD && cp <= 0x25FE) || (cp >= 0x2614 && cp <= 0x2615) ||
      (cp >= 0x2648 && cp <= 0x2653) || cp == 0x267F || cp == 0x2693 || cp == 0x26A1 ||
      (cp >= 0x26AA && cp <= 0x26AB) || (cp >= 0x26BD && cp <= 0x26BE) ||
      (cp >= 0x26C4 && cp <= 0x26C5) || cp == 0x26CE || cp == 0x26D4 || cp == 0x26EA ||
      (cp >= 0x26F2 && cp <= 0x26F3) || cp == 0x26F5 || cp == 0x26FA || cp == 0x26FD ||
      cp == 0x2705 || (cp >= 0x270A && cp <= 0x270B) || cp == 0x2728 || cp == 0x274C ||
      cp == 0x274E || (cp >= 0x2753 && cp <= 0x2755) || cp == 0x2757 ||
      (cp >= 0x2795 && cp <= 0x2797) || cp == 0x27B0 || cp == 0x27BF ||
      (cp >= 0x2B1B && cp <= 0x2B1C) || cp == 0x2B50 || cp == 0x2B55 ||
      (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F680 && cp <= 0x1F6FF) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
      (cp >= 0x1FA70 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

// Decodes one well-formed UTF-8 sequence at text[i] into `cp` and returns its length; 0 when
// the bytes there are not one (overlong, surrogate, past U+10FFFF, cut short).
std::size_t decode_strict(std::string_view text, std::size_t i, char32_t &cp) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t length = lead < 0x80                   ? 1
                             : lead >= 0xC2 && lead < 0xE0 ? 2
                             : (lead >> 4) == 0xE          ? 3
                             : lead >= 0xF0 && lead < 0xF5 ? 4
                                                           : 0;
  if (length == 0 || i + length > text.size())
    return 0;
  cp = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((length == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return length;
}

// A code point (past ASCII) a terminal acts on or that reorders or breaks the line shown.
bool is_hidden_control(char32_t cp) noexcept {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x61C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029;
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// A tab, a LF, or a CR before a LF: what multi-line output keeps.
bool is_line_end(std::string_view text, std::size_t i) noexcept {
  return text[i] == '\n' || text[i] == '\t' ||
         (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
}

constexpr char hex_digits[] = "0123456789abcdef";

// Appends text[i...] to `out` made visible, one character; returns the bytes consumed.
std::size_t append_visible(std::string &out, std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c >= 0x20 && c < 0x7F) {
    out += static_cast<char>(c);
    return 1;
  }
  char32_t cp = 0;
  const std::size_t length = c < 0x80 ? 0 : decode_strict(text, i, cp);
  if (length == 0) { // a C0 control, DEL or a byte of invalid UTF-8
    out += "\\x";
    out += hex_digits[c >> 4];
    out += hex_digits[c & 0xF];
    return 1;
  }
  if (is_hidden_control(cp)) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += hex_digits[(cp >> shift) & 0xF];
  } else {
    out.append(text.substr(i, length));
  }
  return length;
}

std::string_view escape_code(Style style) noexcept {
  switch (style) {
  case Style::none:
    return "";
  case Style::bold:
    return "\x1b[1m";
  case Style::dim:
    return "\x1b[2m";
  case Style::red:
    return "\x1b[31m";
  case Style::green:
    return "\x1b[32m";
  case Style::yellow:
    return "\x1b[33m";
  case Style::blue:
    return "\x1b[34m";
  case Style::magenta:
    return "\x1b[35m";
  case Style::cyan:
    return "\x1b[36m";
  }
  return "";
}

constexpr std::string_view reset_code = "\x1b[0m";

} // namespace

Terminal Terminal::detect() noexcept {
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  const bool colour = tty && std::getenv("NO_COLOR") == nullptr;
  std::size_t width = 0;
  if (tty) {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
      width = size.ws_col;
    if (width == 0) {
      if (const char *columns = std::getenv("COLUMNS")) {
        std::string_view text = columns;
        std::from_chars(text.data(), text.data() + text.size(), width);
      }
    }
    if (width == 0)
      width = 80;
  }
  return Terminal(tty, colour, width);
}

void Terminal::paint(std::string &out, std::string_view text, Style style) const {
  const std::string shown = single_line(text);
  if (!colour_ || style == Style::none || shown.empty()) {
    out += shown;
    return;
  }
  out += escape_code(style);
  out += shown;
  out += reset_code;
}

std::string Terminal::safe(std::string_view output) const {
  std::string result;
  result.reserve(output.size());
  for (std::size_t i = 0; i < output.size();) {
    if (is_line_end(output, i)) {
      result += output[i++];
      continue;
    }
    if (output[i] == '\x1b' && colour_) {
      const std::string_view rest = output.substr(i);
      std::string_view own = rest.starts_with(reset_code) ? reset_code : std::string_view();
      for (Style style : {Style::bold, Style::dim, Style::red, Style::green, Style::yellow,
                          Style::blue, Style::magenta, Style::cyan})
        if (rest.starts_with(escape_code(style)))
          own = escape_code(style);
      if (!own.empty()) {
        result += own;
        i += own.size();
        continue;
      }
    }
    i += append_visible(result, output, i);
  }
  return result;
}

std::size_t display_width(std::string_view text) noexcept {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) { // ASCII fast path
      width += static_cast<unsigned char>(text[i]) >= 0x20 && text[i] != 0x7F;
      ++i;
      continue;
    }
    width += static_cast<std::size_t>(codepoint_width(decode(text, i)));
  }
  return width;
}

std::string truncate_to_width(std::string_view text, std::size_t width) {
  if (display_width(text) <= width)
    return std::string(text);
  if (width == 0)
    return {};
  std::size_t used = 0, i = 0, cut = 0;
  while (i < text.size()) {
    std::size_t start = i;
    int w = codepoint_width(decode(text, i));
    if (used + static_cast<std::size_t>(w) > width - 1) { // keep one column for the ellipsis
      cut = start;
      break;
    }
    used += static_cast<std::size_t>(w);
    cut = i;
  }
  std::string result(text.substr(0, cut));
  while (!result.empty() && result.back() == ' ')
    result.pop_back();
  result += "\u2026";
  return result;
}

std::string single_line(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  bool space = false;
  for (std::size_t i = 0; i < text.size();) {
    if (is_blank(text[i])) {
      space = true;
      ++i;
      continue;
    }
    if (space && !result.empty())
      result += ' ';
    space = false;
    i += append_visible(result, text, i);
  }
  return result;
}

} // namespace leanspec::cli
