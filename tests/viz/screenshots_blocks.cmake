# tests/viz/screenshots_blocks.cmake - run by CTest (viz_screenshots_blocks) as cmake -P:
# renders the Blocks panel headless under Xvfb on v2-1.0, on v1-g3-1.0 and in compare
# mode (v1-g3-1.0 beside v2-1.0, both ImageNet), each after the worker's real profile,
# and checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(width 1280)
set(height 800)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(cases "v2-1.0" "v1-g3-1.0" "compare")
set(failed "")
foreach(case ${cases})
  if(case STREQUAL "compare")
    set(args --model v1-g3-1.0 --compare v2-1.0 --theme light)
  else()
    set(args --model ${case})
  endif()
  set(png ${OUT_DIR}/blocks-${case}.png)
  execute_process(
    COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui --panel Blocks ${args} --variant imagenet --screenshot ${png}
            --frames 4 --size ${width}x${height}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${png})
    message(SEND_ERROR "${case}: shufflelab gui exited ${rc}, png written: ${png}\n${out}${err}")
    list(APPEND failed ${case})
    continue()
  endif()
  execute_process(COMMAND ${PNG_CHECK} ${png} ${width} ${height}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    list(APPEND failed ${case})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_blocks: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_blocks: ${cases} rendered and checked in ${OUT_DIR}")
