# check_rt_symbols.cmake — the render-thread boundary, checked on the object code.
#
# Runs `nm -u` on every object of a render-thread library (ms_rt: src/rt +
# src/shared; ms_backend_rt: the live backends' loops) and fails when one
# references a symbol outside the allow-list below. Symbols defined by
# another object given (OBJECTS or DEFINED_BY) are internal calls and fine:
# the backends' loops may call into ms_rt, which has its own test.
#
# Usage (ctest does this): cmake -DNM=nm -DOBJECTS="a.o|b.o" [-DDEFINED_BY="c.o|d.o"]
#                                [-DEXTRA_ALLOW="sym|sym"] [-DEXTRA_WHY="text"]
#                                [-DSANITIZE=address] -P check_rt_symbols.cmake
# EXTRA_ALLOW names further symbols one library may use (the ALSA and JACK
# calls a backend loop makes), each listed exactly: no patterns.
#
# Allowed, because they never allocate, lock, block or do I/O:
#   memory      memcpy memset memmove memcmp (and their _chk fortify forms)
#   libm        single-precision functions (sinf, expf, exp2f, floorf, lrintf, ...)
#               and the cheap exact double ones (fabs, floor, ceil, trunc, round, lrint, ...)
#   time        clock_gettime (vDSO, no syscall on x86_64)
#   floating    fegetenv/fesetenv/fegetround/fesetround (flush-to-zero per block)
#   compiler    __stack_chk_fail, libgcc helpers (__udivti3, __mulsc3, __powisf2, ...),
#               __atomic_* (lock-free on x86_64 for the sizes used), _GLOBAL_OFFSET_TABLE_,
#               __cpu_model/__cpu_indicator_init (function multiversioning)
#   sanitizers  __asan_* __ubsan_* __tsan_* __sanitizer_* (only in sanitizer builds)
# Everything else is refused, notably: malloc/calloc/realloc/free and friends,
# printf/fprintf/puts/write/any stdio, pthread_mutex_*/pthread_cond_*/sem_*,
# syscalls and sleeps, __tls_get_addr (first TLS touch on a thread may allocate),
# __errno_location (a libm call reporting errors: use the f-variants with
# -fno-math-errno), and the costly double-precision libm (pow, exp, sin, log, ...):
# the render thread's DSP is single precision by design.

cmake_minimum_required(VERSION 3.20)

set(NM_CHECK check_rt_symbols)
include(${CMAKE_CURRENT_LIST_DIR}/nm_objects.cmake)
string(REPLACE "|" ";" defined_by "${DEFINED_BY}")
string(REPLACE "|" ";" extra_allow "${EXTRA_ALLOW}")
if(NOT EXTRA_WHY)
  set(EXTRA_WHY "listed for this library")
endif()

set(allow_exact
  memcpy memset memmove memcmp __memcpy_chk __memset_chk __memmove_chk
  clock_gettime
  fegetenv fesetenv fegetround fesetround feholdexcept feupdateenv
  __stack_chk_fail __stack_chk_guard _GLOBAL_OFFSET_TABLE_
  __cpu_model __cpu_indicator_init __cpu_features2
  # exact, cheap double-precision helpers
  fabs floor ceil trunc round rint nearbyint lrint llrint lround llround
  fmin fmax copysign modf ldexp frexp sqrt)
# Pairs of "label" "regex".
set(allow_regex
  "single-precision libm"
  # single-precision libm: sinf cosf sincosf tanf tanhf expf exp2f expm1f logf log2f
  # log10f log1pf powf sqrtf cbrtf fabsf floorf ceilf truncf roundf rintf nearbyintf
  # lrintf llrintf lroundf llroundf fmodf remainderf fminf fmaxf copysignf modff
  # ldexpf frexpf atanf atan2f asinf acosf sinhf coshf hypotf fmaf (correctly rounded: a
  # build without -mfma calls it for __builtin_fmaf, with the same bits as the instruction)
  "^(sin|cos|sincos|tan|tanh|exp|exp2|expm1|log|log2|log10|log1p|pow|sqrt|cbrt|fabs|floor|ceil|trunc|round|rint|nearbyint|lrint|llrint|lround|llround|fmod|remainder|fmin|fmax|copysign|modf|ldexp|frexp|atan|atan2|asin|acos|sinh|cosh|hypot|scalbn|fma)f$"
  "libgcc arithmetic helper"
  "^__(u?(div|mod)[dt]i3|popcount[sdt]i2|(mul|div)[sdx]c3|powi[sdx]f2|fix(uns)?[sdxt]f[sdt]i|float(un)?[sdt]i[sdxt]f|clz[sdt]i2|ctz[sdt]i2|ffs[sdt]i2|bswap[sd]i2|(extend|trunc)[sdhbx]f[sdhbx]f2)$"
  "C11 atomic helper"
  "^__atomic_(load|store|exchange|compare_exchange|fetch_[a-z]+|[a-z]+_fetch|is_lock_free)(_[1-9][0-9]?)?$")
if(SANITIZE)
  list(APPEND allow_regex "sanitizer runtime" "^__(asan|ubsan|tsan|sanitizer|msan|lsan)_")
  # UBSan's vptr check names the C++ type it verifies (typeinfo data, not a call)
  list(APPEND allow_regex "C++ typeinfo read by UBSan's vptr check" "^_ZTI")
endif()

set(defined "")
set(refs "")
foreach(obj IN LISTS objs)
  nm_lines("${obj}" lines -u)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*[a-zA-Z][ \t]+" "" sym "${line}")
    string(REGEX REPLACE "@.*$" "" sym "${sym}")
    string(STRIP "${sym}" sym)
    if(NOT sym STREQUAL "")
      get_filename_component(oname "${obj}" NAME)
      list(APPEND refs "${sym}")
      list(APPEND "users_${sym}" "${oname}")
    endif()
  endforeach()
endforeach()
foreach(obj IN LISTS objs defined_by)
  nm_lines("${obj}" dlines --defined-only)
  foreach(line IN LISTS dlines)
    if(line MATCHES "^[0-9a-fA-F]+[ \t]+[A-Z][ \t]+(.+)$")
      list(APPEND defined "${CMAKE_MATCH_1}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES refs)
list(SORT refs)

list(LENGTH objs nobj)
message(STATUS "check_rt_symbols: ${nobj} render-thread object(s)")
set(bad "")
foreach(sym IN LISTS refs)
  set(why "")
  if(sym IN_LIST defined)
    set(why "internal (defined in a render-thread object)")
  elseif(sym IN_LIST allow_exact)
    set(why "allowed (listed)")
  elseif(sym IN_LIST extra_allow)
    set(why "allowed (${EXTRA_WHY})")
  else()
    list(LENGTH allow_regex nrx)
    math(EXPR last "${nrx} - 1")
    foreach(i RANGE 0 ${last} 2)
      math(EXPR j "${i} + 1")
      list(GET allow_regex ${i} label)
      list(GET allow_regex ${j} rx)
      if(sym MATCHES "${rx}")
        set(why "allowed (${label})")
        break()
      endif()
    endforeach()
  endif()
  list(REMOVE_DUPLICATES "users_${sym}")
  string(REPLACE ";" ", " users "${users_${sym}}")
  if(why STREQUAL "")
    message(STATUS "  REFUSED  ${sym}    used by ${users}")
    list(APPEND bad "${sym}")
  else()
    message(STATUS "  ok       ${sym}    ${why}")
  endif()
endforeach()

if(bad)
  string(REPLACE ";" " " badl "${bad}")
  message(FATAL_ERROR "check_rt_symbols: render-thread code references symbols outside the "
                      "allow-list: ${badl}\n(see the header of check_rt_symbols.cmake for why)")
endif()
message(STATUS "check_rt_symbols: every undefined symbol is allowed")
