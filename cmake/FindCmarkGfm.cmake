# cmark-gfm ships no CMake config: wrap its pkg-config file (core + extensions) as CmarkGfm::cmark-gfm.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMARK_GFM QUIET IMPORTED_TARGET libcmark-gfm)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CmarkGfm REQUIRED_VARS CMARK_GFM_FOUND VERSION_VAR CMARK_GFM_VERSION)
if(CmarkGfm_FOUND AND NOT TARGET CmarkGfm::cmark-gfm)
  add_library(CmarkGfm::cmark-gfm INTERFACE IMPORTED)
  target_link_libraries(CmarkGfm::cmark-gfm INTERFACE PkgConfig::CMARK_GFM)
endif()
