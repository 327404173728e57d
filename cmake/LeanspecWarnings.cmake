# leanspec_warnings(target): our warning set, applied PRIVATE to our own targets only.
function(leanspec_warnings target)
  # -Wmissing-field-initializers fires on partial designated initializers ({.ttl = 1s}),
  # which is how the API is meant to be used.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers)
  if(LEANSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
