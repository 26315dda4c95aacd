# tests/viz/check_exercise.cmake - run by CTest (check_exercise_results) as cmake -P:
# scripts/check-exercise, the end of `make check-exercise N=NN`, records each checker
# outcome where the Lessons panel's badge reads it: exit 0 -> "passed", 77 -> "not solved
# yet", anything else -> "failed", and passes the checker's exit status on.
# Inputs: -DSCRIPT=scripts/check-exercise -DOUT_DIR=dir
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
file(WRITE ${OUT_DIR}/exit77 "#!/bin/sh\necho 'exercise 05: not solved yet'\nexit 77\n")
file(CHMOD ${OUT_DIR}/exit77 PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
find_program(TRUE_BIN true REQUIRED)
find_program(FALSE_BIN false REQUIRED)
set(failed "")
foreach(case "${TRUE_BIN}|0|passed" "${FALSE_BIN}|1|failed" "${OUT_DIR}/exit77|77|not solved yet")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 bin)
  list(GET parts 1 want_rc)
  list(GET parts 2 want)
  file(REMOVE ${OUT_DIR}/results/exercise_05.txt)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env SHUFFLELAB_EXERCISE_BIN=${bin}
            SHUFFLELAB_EXERCISE_RESULTS=${OUT_DIR}/results ${SCRIPT} 05
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT EXISTS ${OUT_DIR}/results/exercise_05.txt)
    message(SEND_ERROR "${bin}: no results file written\n${out}${err}")
    list(APPEND failed ${want})
    continue()
  endif()
  file(READ ${OUT_DIR}/results/exercise_05.txt got)
  string(STRIP "${got}" got)
  if(NOT rc EQUAL want_rc OR NOT got STREQUAL want)
    message(SEND_ERROR "${bin}: exit ${rc} (want ${want_rc}), recorded '${got}' (want '${want}')\n${out}${err}")
    list(APPEND failed ${want})
  else()
    message(STATUS "exit ${rc} -> '${got}'")
  endif()
endforeach()
if(EXISTS ${OUT_DIR}/results/exercise_05.txt.tmp)
  message(SEND_ERROR "a temporary file was left behind")
  list(APPEND failed tmp)
endif()
if(failed)
  message(FATAL_ERROR "check_exercise_results: failed: ${failed}")
endif()
