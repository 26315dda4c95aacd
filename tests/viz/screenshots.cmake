# tests/viz/screenshots.cmake - run by CTest (viz_screenshots) as cmake -P: renders each
# panel of the app headless under Xvfb, the way the README's pictures are made, and
# checks every PNG (exists, 1280x800, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(panels Shuffle Blocks Guidelines Train Lessons)
set(width 1280)
set(height 800)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(failed "")
foreach(panel ${panels})
  set(png ${OUT_DIR}/${panel}.png)
  execute_process(
    COMMAND ${XVFB_RUN} -a ${BIN} gui --panel ${panel} --screenshot ${png} --frames 5
            --size ${width}x${height}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${png})
    message(SEND_ERROR "${panel}: shufflelab gui exited ${rc}, png written: ${png}\n${out}${err}")
    list(APPEND failed ${panel})
    continue()
  endif()
  execute_process(COMMAND ${PNG_CHECK} ${png} ${width} ${height}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    list(APPEND failed ${panel})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots: failed panels: ${failed}")
endif()
message(STATUS "viz_screenshots: ${panels} rendered and checked in ${OUT_DIR}")
