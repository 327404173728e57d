// leanspec.h compiles as C++ too, and every function is noexcept there (LEANSPEC_NOEXCEPT), so
// C++ hosts know that nothing escapes.
#include "leanspec.h"

static_assert(noexcept(leanspec_last_error()));
static_assert(noexcept(leanspec_source_list(nullptr, nullptr, nullptr)));
static_assert(noexcept(leanspec_source_free(nullptr)));
static_assert(noexcept(leanspec_source_handle_webhook(nullptr, nullptr, nullptr, 0, nullptr, 0)));
static_assert(sizeof(leanspec_status) == 4);
