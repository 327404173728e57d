# leanspec_warnings(target): our warning set, applied PRIVATE to our own targets only.
function(leanspec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(LEANSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
