// leanspec.h compiles as C++ too, and every function is noexcept there (LEANSPEC_NOEXCEPT), so
// C++ hosts know that nothing escapes; and the calls only a service answers take a
// leanspec_service, so a plain source does not compile there.
#include "leanspec.h"

#include <type_traits>

static_assert(noexcept(leanspec_last_error()));
static_assert(noexcept(leanspec_source_list(nullptr, nullptr, nullptr)));
static_assert(noexcept(leanspec_source_free(nullptr)));
static_assert(noexcept(leanspec_service_handle_webhook(nullptr, nullptr, nullptr, 0, nullptr, 0)));
static_assert(noexcept(leanspec_service_source(nullptr)));
static_assert(std::is_invocable_v<decltype(leanspec_service_health), leanspec_string *,
                                  const leanspec_service *>);
static_assert(!std::is_invocable_v<decltype(leanspec_service_health), leanspec_string *,
                                   const leanspec_source *>);
static_assert(!std::is_invocable_v<decltype(leanspec_service_start_sync), leanspec_source *>);
static_assert(sizeof(leanspec_status) == 4);
