# Project-wide warning and sanitizer flags, applied through an interface target so
# that third-party code (Qt's moc output excepted) is never compiled with -Werror.
add_library(sipscope_options INTERFACE)
target_compile_options(sipscope_options INTERFACE -Wall -Wextra -Wpedantic -Werror)
if(SIPSCOPE_SANITIZE)
  target_compile_options(sipscope_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(sipscope_options INTERFACE -fsanitize=address,undefined)
  # GCC 12 reports false -Wmaybe-uninitialized through std::variant moves once ASan
  # instrumentation changes inlining (GCC bug 105562 and friends); the Release build keeps it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(sipscope_options INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
# GCC 12 at -O3 (Release) reports -Wrestrict on std::string concatenation inside libstdc++
# (GCC bug 105329, fixed in GCC 13) and -Wstringop-overflow on std::vector::push_back after
# inlining (GCC bug 106199: "writing 4 bytes into a region of size 2" in a byte-by-byte
# append): false positives in the standard library's own code, so both are switched off
# there. Other build types (and GCC 13+) keep them as errors.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sipscope_options INTERFACE
    $<$<CONFIG:Release>:-Wno-restrict> $<$<CONFIG:Release>:-Wno-stringop-overflow>)
endif()
