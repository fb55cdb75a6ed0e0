# Project-wide warning and sanitizer flags, applied through an interface target so
# that third-party code (Qt's moc output excepted) is never compiled with -Werror.
add_library(sipscope_options INTERFACE)
target_compile_options(sipscope_options INTERFACE -Wall -Wextra -Wpedantic -Werror)
if(SIPSCOPE_SANITIZE)
  target_compile_options(sipscope_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(sipscope_options INTERFACE -fsanitize=address,undefined)
endif()
