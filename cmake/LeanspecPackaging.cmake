# `cpack` in a build directory (top-level project only): Debian packages, one per install
# component of LeanspecInstall.cmake, and one .tar.gz of everything.
#   libleanspec-c<major.minor>  the C library and the library it bundles (docs/PACKAGING.md)
#   libleanspec-dev             headers, the static C++ library, CMake and pkg-config files
#   leanspec                    the CLI
# Installed under /usr. Each package's Depends is written here, not computed: the binaries need
# only glibc, libstdc++ and libgcc (tests/packaging checks it), and the -dev package needs what
# leanspecConfig.cmake finds for a static libleanspec. tests/packaging/cpack_test.sh checks the
# packages' metadata and contents.
set(CPACK_PACKAGE_NAME leanspec)
set(CPACK_PACKAGE_VENDOR "libleanspec")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Read LeanSpec spec directories and stores, fast")
set(CPACK_PACKAGE_CONTACT "libleanspec maintainers <maintainers@libleanspec.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_PACKAGE_FILE_NAME leanspec-${PROJECT_VERSION}-Linux-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF) # one .tar.gz holding every component
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/libleanspec/libleanspec")

set(_leanspec_so ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(_leanspec_runtime libleanspec-c${_leanspec_so})
set(_leanspec_cxx "libstdc++6 (>= 12), libgcc-s1 (>= 3.0)")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${_leanspec_runtime})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libc6 (>= 2.36), ${_leanspec_cxx}")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "libleanspec's C library: LeanSpec specs from a directory or a database")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libleanspec-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What leanspecConfig.cmake finds (find_dependency) for the static C++ library, and pkg-config.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "${_leanspec_runtime} (= ${PROJECT_VERSION}), libyaml-cpp-dev, libsimdjson-dev, libssl-dev, libsqlitecpp-dev, libsqlite3-dev, libcurl4-openssl-dev | libcurl-dev, libarchive-dev, libcmark-gfm-dev, libcmark-gfm-extensions-dev, pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "libleanspec's headers, static C++ library, CMake package and pkg-config file")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME leanspec)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION devel)
# The CLI finds the bundled library in the runtime package's directory ($ORIGIN/../lib).
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS
    "${_leanspec_runtime} (= ${PROJECT_VERSION}), libc6 (>= 2.34), ${_leanspec_cxx}")
set(CPACK_COMPONENT_CLI_DESCRIPTION "leanspec: list, board, search and show LeanSpec specs")

include(CPack)
