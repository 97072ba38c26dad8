# nm_objects.cmake — what check_layers.cmake and check_rt_symbols.cmake (cmake -P
# scripts) share: the OBJECTS argument ("a.o|b.o", required) as the list `objs`,
# NM (default nm), and nm_lines() to read one object's symbols. Set NM_CHECK to
# the script's name (it starts every message) before including this.

if(NOT DEFINED OBJECTS OR OBJECTS STREQUAL "")
  message(FATAL_ERROR "${NM_CHECK}: no OBJECTS given")
endif()
if(NOT NM)
  set(NM nm)
endif()
string(REPLACE "|" ";" objs "${OBJECTS}")

# nm_lines(<obj> <out> <nm option>): the lines `nm <option> <obj>` prints; a
# missing object or a failing nm stops the check.
function(nm_lines obj out option)
  if(NOT EXISTS "${obj}")
    message(FATAL_ERROR "${NM_CHECK}: object not found: ${obj}")
  endif()
  execute_process(COMMAND ${NM} ${option} "${obj}" OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM_CHECK}: ${NM} ${option} ${obj} failed (${rc})")
  endif()
  string(REGEX MATCHALL "[^\n]+" lines "${text}")
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()
