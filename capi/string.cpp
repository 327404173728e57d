// Implements the strings section of capi/leanspec.h: releasing a leanspec_string (convert.cpp's
// set_string() makes them).
#include "leanspec.h"

#include <cstdlib>

extern "C" {

void leanspec_string_free(leanspec_string *str) noexcept {
  if (str == nullptr)
    return;
  std::free(str->data);
  *str = {nullptr, 0};
}

} // extern "C"
