# The heap allocator the programs link (sipscope, sipscope-cli and the benchmarks; not the
# libraries, the tests or the fuzzers).
#
# Passive analysis and import make and free a few dozen small objects per SIP message and keep
# hundreds of thousands of calls open at once on a busy capture. glibc's malloc spends a quarter
# of the passive benchmark in malloc, free and the consolidation of its fast bins (perf, session
# 12). With jemalloc, from Debian (libjemalloc2), bench_passive and bench_import of the 1 GB capture
# ran 13 % and 22 % faster, the import's peak RSS 6 % lower. Of jemalloc, tcmalloc and mimalloc
# (each preloaded), jemalloc was as fast as the best on bench_passive and the fastest on
# bench_import.
#
#   -DSIPSCOPE_ALLOCATOR=jemalloc   (default) link libjemalloc, or warn and use glibc's without it
#   -DSIPSCOPE_ALLOCATOR=system     glibc's malloc
# Sanitizer and fuzzer builds always use the sanitizer's allocator.
set(SIPSCOPE_ALLOCATOR "jemalloc" CACHE STRING "Heap allocator the programs link: jemalloc or system")
set_property(CACHE SIPSCOPE_ALLOCATOR PROPERTY STRINGS jemalloc system)

add_library(sipscope_allocator INTERFACE)
if(SIPSCOPE_SANITIZE OR SIPSCOPE_FUZZ)
  message(STATUS "SipScope allocator: the sanitizer's")
elseif(SIPSCOPE_ALLOCATOR STREQUAL "jemalloc")
  find_library(SIPSCOPE_JEMALLOC_LIBRARY NAMES jemalloc)
  if(SIPSCOPE_JEMALLOC_LIBRARY)
    message(STATUS "SipScope allocator: jemalloc (${SIPSCOPE_JEMALLOC_LIBRARY})")
    # --no-as-needed: the programs name no jemalloc symbol of their own, yet it must be loaded
    # before libc so that its malloc and free are the ones every library calls.
    target_link_libraries(sipscope_allocator INTERFACE
      "-Wl,--push-state,--no-as-needed" ${SIPSCOPE_JEMALLOC_LIBRARY} "-Wl,--pop-state")
  else()
    message(WARNING "jemalloc not found (Debian: libjemalloc-dev): the programs use glibc's "
                    "malloc, about a quarter slower on big captures. "
                    "installers/debian/deps.sh --build installs it.")
  endif()
elseif(NOT SIPSCOPE_ALLOCATOR STREQUAL "system")
  message(FATAL_ERROR "SIPSCOPE_ALLOCATOR must be jemalloc or system, not '${SIPSCOPE_ALLOCATOR}'")
endif()
