# LEANSPEC_SANITIZE = "" | "address,undefined" | "thread": applied to every target of this tree.
# A sanitizer report needs file:line only, so sanitized builds keep line tables instead of full
# debug info (a third to a half of the compile time of a sanitized build went to -g), and compile
# at -O1, the level the sanitizers' documentation suggests: a quarter less compile time than -O2
# (postgres_store.cpp under ASan+UBSan: 27 -> 20 s), which CI's time limit needs. The option comes
# after the build type's -O2, so it wins.
if(LEANSPEC_SANITIZE)
  if(NOT LEANSPEC_SANITIZE MATCHES "^(address,undefined|undefined,address|address|undefined|thread)$")
    message(FATAL_ERROR "LEANSPEC_SANITIZE='${LEANSPEC_SANITIZE}': use address,undefined or thread")
  endif()
  add_compile_options(-fsanitize=${LEANSPEC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
                      "$<IF:$<CXX_COMPILER_ID:Clang>,-gline-tables-only,-g1>")
  add_link_options(-fsanitize=${LEANSPEC_SANITIZE})
endif()
