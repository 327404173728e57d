// Implements leanspec::version() of <leanspec/version.hpp> (generated from cmake/version.hpp.in).

#include <leanspec/version.hpp>

namespace leanspec {

const char *version() noexcept { return LEANSPEC_VERSION_STRING; }

} // namespace leanspec
