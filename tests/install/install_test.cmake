# Run by ctest (test `install`, label install) as `cmake -D... -P install_test.cmake`:
#  1. cmake --install BUILD_DIR --prefix WORK_DIR/prefix, and check the installed layout;
#  2. configure + build EXAMPLE_DIR with CMAKE_PREFIX_PATH=prefix, run it on a specs tree made
#     here and check its board;
#  3. compile PKGCONFIG_CONSUMER with `pkg-config --cflags --libs --static leanspec` and run it.
# A sanitized build (SANITIZE) is only usable by sanitized consumers, so both get its flags.
cmake_minimum_required(VERSION 3.25)

foreach(var BUILD_DIR WORK_DIR EXAMPLE_DIR PKGCONFIG_CONSUMER GENERATOR CXX_COMPILER VERSION)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run)
  cmake_parse_arguments(ARG "" "OUTPUT;WORKING_DIRECTORY" "COMMAND" ${ARGN})
  string(REPLACE ";" " " shown "${ARG_COMMAND}")
  message(STATUS "$ ${shown}")
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY "${WORK_DIR}")
  endif()
  execute_process(COMMAND ${ARG_COMMAND} WORKING_DIRECTORY "${ARG_WORKING_DIRECTORY}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${shown}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  if(ARG_OUTPUT)
    set(${ARG_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected a match for '${regex}' in:\n${text}")
  endif()
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags "-fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all")
endif()

# 1. Install and check the layout.
run(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
file(GLOB_RECURSE config_file "${prefix}/*/leanspecConfig.cmake")
file(GLOB_RECURSE pc_file "${prefix}/*/leanspec.pc")
list(LENGTH config_file n_config)
list(LENGTH pc_file n_pc)
if(NOT n_config EQUAL 1 OR NOT n_pc EQUAL 1)
  message(FATAL_ERROR "expected one leanspecConfig.cmake and one leanspec.pc under ${prefix}, "
                      "found '${config_file}' and '${pc_file}'")
endif()
get_filename_component(config_dir "${config_file}" DIRECTORY)
foreach(f leanspecConfigVersion.cmake leanspecTargets.cmake FindCmarkGfm.cmake)
  if(NOT EXISTS "${config_dir}/${f}")
    message(FATAL_ERROR "missing ${config_dir}/${f}")
  endif()
endforeach()
foreach(h leanspec.hpp version.hpp error.hpp spec.hpp json.hpp)
  if(NOT EXISTS "${prefix}/include/leanspec/${h}")
    message(FATAL_ERROR "missing ${prefix}/include/leanspec/${h}")
  endif()
endforeach()
if(EXPECT_CLI AND NOT EXISTS "${prefix}/bin/leanspec")
  message(FATAL_ERROR "the CLI was built but ${prefix}/bin/leanspec is not installed")
endif()
# The exported link interface must name real targets: an ALIAS (yaml-cpp::yaml-cpp) cannot be
# imported by a consumer.
file(GLOB targets_files "${config_dir}/leanspecTargets*.cmake")
foreach(f ${targets_files})
  file(READ "${f}" text)
  if(text MATCHES "yaml-cpp::yaml-cpp")
    message(FATAL_ERROR "${f} names the alias yaml-cpp::yaml-cpp")
  endif()
endforeach()

# A specs tree for both consumers.
set(specs "${WORK_DIR}/specs")
file(WRITE "${specs}/001-first-spec/README.md"
  "---\nstatus: complete\npriority: high\ncreated: 2025-11-01\ntags: [core]\n---\n\n# First spec\n\nDone.\n")
file(WRITE "${specs}/002-second-spec/README.md"
  "---\nstatus: in-progress\npriority: medium\ncreated: 2025-11-02\ndepends_on: [001]\n---\n\n# Second spec\n\nDoing.\n")
file(WRITE "${specs}/003-third-spec/README.md"
  "---\nstatus: planned\ncreated: 2025-11-03\n---\n\n# Third spec\n")

# 2. find_package consumer: examples/cpp.
set(example_build "${WORK_DIR}/example-build")
run(COMMAND "${CMAKE_COMMAND}" -S "${EXAMPLE_DIR}" -B "${example_build}" -G "${GENERATOR}"
            "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
            "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
            "-DCMAKE_CXX_FLAGS=${sanitize_flags}"
            "-DCMAKE_EXE_LINKER_FLAGS=${sanitize_flags}"
            "-DCMAKE_PREFIX_PATH=${prefix}"
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    OUTPUT configure_out)
file(STRINGS "${example_build}/CMakeCache.txt" leanspec_dir_line REGEX "^leanspec_DIR:")
string(REGEX REPLACE "^[^=]*=" "" leanspec_dir "${leanspec_dir_line}")
if(NOT leanspec_dir STREQUAL config_dir)
  message(FATAL_ERROR "the consumer found leanspec in '${leanspec_dir}', not in ${config_dir}")
endif()
run(COMMAND "${CMAKE_COMMAND}" --build "${example_build}")
run(COMMAND "${example_build}/status_board" "${specs}" OUTPUT board)
message(STATUS "status_board output:\n${board}")
expect_match("${board}" "^libleanspec ${VERSION}: 3 specs" "board header")
expect_match("${board}" "\nin-progress \\(1\\)\n  002-second-spec +medium +Second spec\n" "board")
expect_match("${board}" "\ncomplete \\(1\\)\n  001-first-spec +high +First spec\n" "board")
expect_match("${board}" "\nplanned \\(1\\)\n  003-third-spec +- +Third spec\n" "board")

# 3. pkg-config consumer, linked statically against the installed libleanspec.a.
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config not found")
endif()
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run(COMMAND "${PKG_CONFIG}" --cflags --libs --static leanspec OUTPUT pc_flags)
string(STRIP "${pc_flags}" pc_flags)
message(STATUS "pkg-config --cflags --libs --static leanspec: ${pc_flags}")
expect_match("${pc_flags}" "-I[^ ]*/include" "pkg-config flags")
expect_match("${pc_flags}" "-L[^ ]+ (.* )?-lleanspec( |$)" "pkg-config flags")
foreach(lib yaml-cpp simdjson crypto cmark-gfm)
  expect_match("${pc_flags}" " -l${lib}( |$)" "pkg-config --static flags")
endforeach()
separate_arguments(pc_args UNIX_COMMAND "${pc_flags}")
separate_arguments(sanitize_args UNIX_COMMAND "${sanitize_flags}")
set(pc_exe "${WORK_DIR}/pkgconfig_consumer")
run(COMMAND "${CXX_COMPILER}" -std=c++20 ${sanitize_args} "${PKGCONFIG_CONSUMER}" -o "${pc_exe}"
            ${pc_args})
run(COMMAND "${pc_exe}" OUTPUT pc_out)
message(STATUS "pkgconfig_consumer output: ${pc_out}")
expect_match("${pc_out}" "^version=${VERSION} id=042-packaged status=in-progress hash=[0-9a-f]+ html=.*<p>Some <em>text</em>.</p>"
             "pkgconfig_consumer")

message(STATUS "install test passed: ${prefix}")
