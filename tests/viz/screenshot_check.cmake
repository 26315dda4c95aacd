# tests/viz/screenshot_check.cmake - the one step every tests/viz/screenshots_*.cmake script
# repeats, included by them (cmake -P scripts, not part of the build): render one headless
# screenshot under Xvfb and check it with png_check (exists, right size, not blank).
# Needs BIN, XVFB_RUN, PNG_CHECK and OUT_DIR from the including script's -D inputs.

# sl_screenshot(NAME PNG WIDTH HEIGHT TIMEOUT_S GUI_ARGS...) runs
# `shufflelab gui GUI_ARGS --screenshot PNG --size WIDTHxHEIGHT`; on any failure it reports
# why and appends NAME to the caller's `failed` list.
function(sl_screenshot name png width height timeout)
  execute_process(
    COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui ${ARGN} --screenshot ${png}
            --size ${width}x${height}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT ${timeout})
  if(NOT rc EQUAL 0 OR NOT EXISTS ${png})
    message(SEND_ERROR "${name}: shufflelab gui exited ${rc}, png written: ${png}\n${out}${err}")
    set(failed ${failed} ${name} PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND ${PNG_CHECK} ${png} ${width} ${height}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    set(failed ${failed} ${name} PARENT_SCOPE)
  endif()
endfunction()
