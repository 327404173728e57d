// Tests the one rule of which names make a specs tree (src/tree/spec_names.hpp): spec_place()
// alone. The same rule on one tree synced from GitHub and read from a folder:
// processes/spec_names_sync_test.cpp.
#include "tree/spec_names.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace leanspec;
using detail::SpecPlace;

TEST_CASE("spec_place: spec folders at the top or one group down, their *.md files") {
  using Kind = SpecPlace::Kind;
  CHECK(detail::spec_place("001-a", true).kind == Kind::folder);
  CHECK(detail::spec_place("001-a", false).kind == Kind::other);
  const auto file = detail::spec_place("20251031/001-a/DESIGN.md", false);
  CHECK(file.kind == Kind::file);
  CHECK(file.folder == "20251031/001-a");
  CHECK(file.name == "DESIGN.md");
  CHECK(detail::spec_place("archived/001-a", true).kind == Kind::folder);
  CHECK(detail::spec_place("a/b/001-a", true).kind == Kind::other);       // too deep
  CHECK(detail::spec_place("001-a/sub/x.md", false).kind == Kind::other); // not in the folder
  CHECK(detail::spec_place("001-a/notes.txt", false).kind == Kind::other);
  CHECK(detail::spec_place(".git/001-a", true).kind == Kind::other);
  CHECK(detail::spec_place("001-a/.x.md", false).kind == Kind::other);
  const auto dots = detail::spec_place("../001-a/README.md", false);
  CHECK(dots.kind == Kind::refused);
  CHECK(dots.refused == "..");
  CHECK(detail::spec_place("..", false).refused == ".."); // wherever it stands
  CHECK(detail::spec_place("001-a/x/./y/z", false).refused == "001-a/x/.");
  CHECK(detail::spec_place("001-a//README.md", false).reason == "is empty");
  const auto control = detail::spec_place("grp/001-a\x1b/README.md", false);
  CHECK(control.kind == Kind::refused);
  CHECK(control.refused == "grp/001-a\x1b");
  CHECK(control.reason == "holds a control character");
  CHECK(detail::spec_place("001-a/x\\y.md", false).reason == "holds a backslash");
  CHECK(detail::spec_place("001-a/x\\y.txt", false).kind == Kind::other); // never read anyway
  CHECK(detail::spec_place("bad\nname", false).kind == Kind::other);      // a file at the top
  CHECK(detail::spec_place(std::string(256, 'n') + "/001-a", true).reason ==
        "is longer than 255 bytes");
}
