# Install rules and package metadata, included last by the top CMakeLists.txt:
#   <libdir>/cmake/leanspec/  leanspecConfig.cmake (+ Version), leanspecTargets*.cmake (namespace
#                             leanspec::), FindCmarkGfm.cmake (re-run by the config file)
#   <libdir>/pkgconfig/       leanspec.pc (relocatable; Requires.private for static linking)
#   <includedir>/leanspec/    the public headers and the generated version.hpp
# Verified by tests/install (find_package and pkg-config consumers of an installed tree).
include(CMakePackageConfigHelpers)

set(LEANSPEC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/leanspec"
    CACHE STRING "Where leanspecConfig.cmake is installed, relative to the prefix")
set(LEANSPEC_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where leanspec.pc is installed, relative to the prefix")

set(_leanspec_install_targets leanspec)
if(TARGET leanspec_cli)
  list(APPEND _leanspec_install_targets leanspec_cli)
endif()
# Components (cmake/LeanspecPackaging.cmake makes one Debian package of each): runtime (the C
# library and what it bundles), dev (headers, the static C++ library, CMake and pkg-config
# files), cli (the tool).
install(TARGETS ${_leanspec_install_targets} EXPORT leanspecTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The bundled simdjson (cmake/LeanspecStaticDeps.cmake) beside libleanspec_c, where the CLI's
# RUNPATH ($ORIGIN/../<libdir>) also finds it. Every shipped target made the same copy.
foreach(_leanspec_bundler leanspec_c leanspec_cli)
  if(LEANSPEC_BUNDLED_SIMDJSON AND NOT LEANSPEC_SANITIZE AND TARGET ${_leanspec_bundler})
    install(FILES $<TARGET_FILE_DIR:${_leanspec_bundler}>/${LEANSPEC_BUNDLED_SIMDJSON}
            DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime)
    break()
  endif()
endforeach()

# Public headers: the checked-in ones and the generated ones (version.hpp, later export.hpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/leanspec ${PROJECT_BINARY_DIR}/include/leanspec
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")

install(EXPORT leanspecTargets
  NAMESPACE leanspec::
  DESTINATION ${LEANSPEC_INSTALL_CMAKEDIR} COMPONENT dev)

# A static leanspec carries its private dependencies in its link interface ($<LINK_ONLY:...>),
# so the config file must find them; a shared one only needs Threads.
get_target_property(_leanspec_type leanspec TYPE)
if(_leanspec_type STREQUAL "STATIC_LIBRARY")
  set(LEANSPEC_CONFIG_STATIC ON)
else()
  set(LEANSPEC_CONFIG_STATIC OFF)
endif()

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/leanspecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/leanspecConfig.cmake
  INSTALL_DESTINATION ${LEANSPEC_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
# 0.x: a minor release may break the API, so 0.1 only accepts 0.1.*.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/leanspecConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/leanspecConfig.cmake
  ${PROJECT_BINARY_DIR}/leanspecConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindCmarkGfm.cmake
  DESTINATION ${LEANSPEC_INSTALL_CMAKEDIR} COMPONENT dev)

# leanspec.pc: prefix is computed from the .pc file's own location, so the tree stays valid
# after `cmake --install build --prefix <anywhere>`.
if(IS_ABSOLUTE "${LEANSPEC_INSTALL_PKGCONFIGDIR}")
  set(LEANSPEC_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _leanspec_pc_up "/prefix/${LEANSPEC_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _leanspec_pc_up "${_leanspec_pc_up}")
  set(LEANSPEC_PC_PREFIX "\${pcfiledir}/${_leanspec_pc_up}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(LEANSPEC_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(LEANSPEC_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
# Threads::Threads: glibc >= 2.34 needs no flag (CMAKE_THREAD_LIBS_INIT is empty), older ones do.
set(LEANSPEC_PC_LIBS_PRIVATE "${CMAKE_THREAD_LIBS_INIT}")
if(NOT LEANSPEC_PC_LIBS_PRIVATE AND CMAKE_USE_PTHREADS_INIT)
  set(LEANSPEC_PC_LIBS_PRIVATE "-pthread")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/leanspec.pc.in ${PROJECT_BINARY_DIR}/leanspec.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/leanspec.pc DESTINATION ${LEANSPEC_INSTALL_PKGCONFIGDIR}
        COMPONENT dev)
