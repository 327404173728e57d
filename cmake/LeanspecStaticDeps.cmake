# What the shipped binaries (the CLI, libleanspec_c, the Node addon, the Python extension) link
# of our dependencies, so that they need nothing of the host beyond glibc, libstdc++ and libgcc
# (docs/PACKAGING.md gives the reason for each choice; tests/packaging checks the result):
#  - yaml-cpp, cmark-gfm (+ extensions), libcrypto and SQLite: Debian's static archives, linked
#    in. In a shared object their symbols are made local (--exclude-libs), so that the copy of
#    OpenSSL inside Node or of SQLite inside Python never meets ours. The archives come first
#    on the link line and --as-needed drops the shared libraries they replace.
#  - simdjson: Debian ships no archive. Its shared library is bundled beside the binary under a
#    name of our own (libleanspec-simdjson.so.<N>, renamed by patchelf) found through
#    $ORIGIN, so it cannot be confused with a libsimdjson the host process already loaded.
#  - libstdc++: shared for the CLI; linked in, privately, to the shared objects (below).
#  - libpq, libcurl, libarchive: loaded at run time, only by the modes that use them (src/db,
#    src/github): not linked at all.
# Sanitized builds (tests only, never shipped) link as the dependencies' own targets say.
option(LEANSPEC_STATIC_DEPS
       "Link the shipped binaries against static dependencies and bundle simdjson (docs/PACKAGING.md)"
       ON)

set(leanspec_static_dep_names yaml-cpp cmark-gfm-extensions cmark-gfm crypto sqlite3)

if(LEANSPEC_STATIC_DEPS AND NOT LEANSPEC_SANITIZE)
  set(LEANSPEC_STATIC_DEP_ARCHIVES)
  foreach(lib IN LISTS leanspec_static_dep_names)
    find_library(LEANSPEC_STATIC_${lib} NAMES lib${lib}.a)
    if(NOT LEANSPEC_STATIC_${lib})
      message(FATAL_ERROR "LEANSPEC_STATIC_DEPS: lib${lib}.a not found (its Debian -dev package "
                          "ships it); or configure with -DLEANSPEC_STATIC_DEPS=OFF")
    endif()
    list(APPEND LEANSPEC_STATIC_DEP_ARCHIVES ${LEANSPEC_STATIC_${lib}})
  endforeach()
  find_program(LEANSPEC_PATCHELF patchelf)
  if(NOT LEANSPEC_PATCHELF)
    message(FATAL_ERROR "LEANSPEC_STATIC_DEPS: patchelf not found (Debian: apt-get install "
                        "patchelf); or configure with -DLEANSPEC_STATIC_DEPS=OFF")
  endif()
  # The file simdjson's imported target names, and the soname it carries (libsimdjson.so.14).
  get_target_property(leanspec_simdjson_file simdjson::simdjson IMPORTED_LOCATION_RELWITHDEBINFO)
  if(NOT leanspec_simdjson_file)
    get_target_property(leanspec_simdjson_file simdjson::simdjson IMPORTED_LOCATION)
  endif()
  get_target_property(LEANSPEC_SIMDJSON_SONAME simdjson::simdjson IMPORTED_SONAME_RELWITHDEBINFO)
  if(NOT LEANSPEC_SIMDJSON_SONAME)
    get_filename_component(LEANSPEC_SIMDJSON_SONAME ${leanspec_simdjson_file} NAME)
  endif()
  string(REPLACE "libsimdjson" "libleanspec-simdjson" bundled ${LEANSPEC_SIMDJSON_SONAME})
  # Cached: the function below also runs in scopes above this one (bindings/node built alone).
  set(LEANSPEC_STATIC_DEP_ARCHIVES ${LEANSPEC_STATIC_DEP_ARCHIVES} CACHE INTERNAL "")
  set(LEANSPEC_SIMDJSON_FILE ${leanspec_simdjson_file} CACHE INTERNAL "")
  set(LEANSPEC_SIMDJSON_SONAME ${LEANSPEC_SIMDJSON_SONAME} CACHE INTERNAL "")
  set(LEANSPEC_BUNDLED_SIMDJSON ${bundled} CACHE INTERNAL "")
endif()

# Links `target` (an executable, shared library or module that links leanspec::leanspec) as
# above. Does nothing with LEANSPEC_STATIC_DEPS off, nor in a sanitized build (a private
# libstdc++ would sit beside the sanitizer's allocator hooks).
function(leanspec_link_static_deps target)
  if(NOT LEANSPEC_STATIC_DEPS OR LEANSPEC_SANITIZE)
    return()
  endif()
  # (No imported targets here: in bindings/node built alone they are out of this scope.)
  target_link_libraries(${target} PRIVATE ${LEANSPEC_STATIC_DEP_ARCHIVES} ${CMAKE_DL_LIBS} m)
  target_link_options(${target} PRIVATE LINKER:--as-needed)
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    # A private libstdc++ in a shared object: Debian's archives are compiled for executables
    # (-fPIE), and their references to libstdc++'s data cannot be resolved from a shared
    # object. libgcc_s stays shared: one unwinder in the process (a thread ended by
    # pthread_exit is unwound by glibc through libgcc_s; a second, static one aborted it).
    target_link_options(${target} PRIVATE LINKER:--exclude-libs,ALL -static-libstdc++)
  endif()
  # The bundled simdjson: copied beside the binary, renamed, and named in its NEEDED entry.
  set(bundled $<TARGET_FILE_DIR:${target}>/${LEANSPEC_BUNDLED_SIMDJSON})
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy ${LEANSPEC_SIMDJSON_FILE} ${bundled}
    COMMAND ${LEANSPEC_PATCHELF} --set-soname ${LEANSPEC_BUNDLED_SIMDJSON} ${bundled}
    COMMAND ${LEANSPEC_PATCHELF} --replace-needed ${LEANSPEC_SIMDJSON_SONAME}
            ${LEANSPEC_BUNDLED_SIMDJSON} $<TARGET_FILE:${target}>
    VERBATIM)
  # The same RUNPATH in the build tree as installed (no padding for a rewrite at install):
  # beside the binary, and for the CLI in the library directory of its installed tree.
  set(rpath "\$ORIGIN")
  if(type STREQUAL "EXECUTABLE")
    string(APPEND rpath ":\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endif()
  set_target_properties(${target} PROPERTIES BUILD_WITH_INSTALL_RPATH ON INSTALL_RPATH "${rpath}")
endfunction()
