# check_link_rt_symbols.cmake — the render thread's part of the Ableton Link
# shim (src/link/ms_link.cpp built as ms_link_rt) may only call what
# check_rt_symbols.cmake allows, plus the symbols named here with their reason.
#
# The object also holds what Link's and asio's headers bring at load time
# (static initialisers, error categories, iostream init): CT code the render
# thread never runs. So the check looks at what rt_link_block can reach:
# the static initialisers' section is dropped, `ld -r --gc-sections` keeps
# only the sections reachable from rt_link_block (the object is built with
# -ffunction-sections), `objcopy --strip-unneeded` drops the symbols no kept
# code refers to, and check_rt_symbols.cmake runs on the result.
#
# Usage (ctest does this): cmake -DOBJECT=ms_link.cpp.o -DLD=ld -DOBJCOPY=objcopy
#                                -DNM=nm -DWORK=dir -P check_link_rt_symbols.cmake

cmake_minimum_required(VERSION 3.20)
foreach(v OBJECT LD OBJCOPY WORK)
  if(NOT ${v})
    message(FATAL_ERROR "check_link_rt_symbols: ${v} not given")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK}")
set(noinit "${WORK}/link_rt_noinit.o")
set(kept "${WORK}/link_rt_reachable.o")
set(final "${WORK}/link_rt_checked.o")
foreach(step
    "${OBJCOPY};-R;.init_array;-R;.fini_array;${OBJECT};${noinit}"
    "${LD};-r;--gc-sections;-u;rt_link_block;-e;rt_link_block;${noinit};-o;${kept}"
    "${OBJCOPY};--strip-unneeded;${kept};${final}")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_link_rt_symbols: ${step} failed (${rc}): ${err}")
  endif()
endforeach()
execute_process(COMMAND ${NM} --defined-only "${final}" OUTPUT_VARIABLE defs)
if(NOT defs MATCHES "[Tt] rt_link_block")
  message(FATAL_ERROR "check_link_rt_symbols: rt_link_block is not in ${OBJECT}")
endif()

# condition_variable::notify_one: commitAudioSessionState hands the new
# session state to Link's own thread through lock-free triple buffers and
# wakes that thread (Link's LockFreeCallbackDispatcher): a futex wake that
# takes no lock and never blocks, what Link documents as realtime-safe.
set(OBJECTS "${final}")
set(EXTRA_ALLOW "_ZNSt18condition_variable10notify_oneEv")
set(EXTRA_WHY "Link's wake of its own thread after commitAudioSessionState (no lock, never blocks)")
include(${CMAKE_CURRENT_LIST_DIR}/../check_rt_symbols.cmake)
