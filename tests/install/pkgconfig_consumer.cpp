// A one-file consumer built by tests/install with `pkg-config --cflags --libs --static leanspec`
// only: it must compile and link against the installed static library and its dependencies
// (yaml-cpp for the frontmatter, OpenSSL for the content hash, cmark-gfm for HTML).

#include <cstdio>
#include <cstring>
#include <leanspec/leanspec.hpp>
#include <string>

int main() {
  if (std::strcmp(leanspec::version(), LEANSPEC_VERSION_STRING) != 0) {
    std::fprintf(stderr, "header %s but library %s\n", LEANSPEC_VERSION_STRING,
                 leanspec::version());
    return 1;
  }
  std::string readme = "---\nstatus: in-progress\npriority: high\ntags: [install]\n---\n"
                       "# Packaged\n\nSome *text*.\n";
  leanspec::Spec spec = leanspec::parse_spec("042-packaged", readme);
  std::string html = leanspec::render_html(spec.body);
  std::printf("version=%s id=%s status=%s hash=%s html=%s", leanspec::version(), spec.id.c_str(),
              std::string(leanspec::to_string(spec.status)).c_str(), spec.content_hash.c_str(),
              html.c_str());
  return spec.status == leanspec::Status::in_progress ? 0 : 1;
}
