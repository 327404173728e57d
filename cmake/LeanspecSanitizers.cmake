# LEANSPEC_SANITIZE = "" | "address,undefined" | "thread": applied to every target of this tree.
if(LEANSPEC_SANITIZE)
  if(NOT LEANSPEC_SANITIZE MATCHES "^(address,undefined|undefined,address|address|undefined|thread)$")
    message(FATAL_ERROR "LEANSPEC_SANITIZE='${LEANSPEC_SANITIZE}': use address,undefined or thread")
  endif()
  add_compile_options(-fsanitize=${LEANSPEC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${LEANSPEC_SANITIZE})
endif()
