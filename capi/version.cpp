// Implements the version section of capi/leanspec.h: the run-time version of the library.
#include "leanspec.h"

static_assert(LEANSPEC_VERSION_NUMBER == LEANSPEC_VERSION_MAJOR * 10000 +
                                             LEANSPEC_VERSION_MINOR * 100 + LEANSPEC_VERSION_PATCH);

extern "C" {

// This library carries the header it was built with, so its macros are the run-time version.
uint32_t leanspec_version_number(void) noexcept { return LEANSPEC_VERSION_NUMBER; }

const char *leanspec_version_string(void) noexcept { return LEANSPEC_VERSION_STRING; }

} // extern "C"
