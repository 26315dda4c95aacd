# tests/viz/screenshots_zh.cmake - run by CTest (viz_screenshots_zh) as cmake -P: renders
# every panel headless under Xvfb with --lang zh (the app's labels and the lesson text in
# Chinese; English with a notice where no CJK font is installed), at 1280x800 and at the
# smallest supported 800x600, and checks every PNG (exists, right size, not blank) with
# png_check. Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(cases "Shuffle-1280x800" "Shuffle-800x600" "Blocks-1280x800" "Blocks-800x600"
          "Guidelines-1280x800" "Guidelines-800x600" "Lessons-1280x800" "Lessons-800x600")
set(failed "")
foreach(case ${cases})
  string(REPLACE "-" ";" parts ${case})
  list(GET parts 0 panel)
  list(GET parts 1 size)
  string(REPLACE "x" ";" wh ${size})
  list(GET wh 0 width)
  list(GET wh 1 height)
  set(args --panel ${panel})
  if(panel STREQUAL "Shuffle")
    list(APPEND args --step 2)
  elseif(panel STREQUAL "Blocks")
    list(APPEND args --model v1-g3-1.0 --variant imagenet)
  elseif(panel STREQUAL "Lessons")
    list(APPEND args --lesson 01)
  endif()
  if(size STREQUAL "800x600")
    list(APPEND args --theme light)
  endif()
  set(png ${OUT_DIR}/zh-${case}.png)
  execute_process(
    COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui ${args} --lang zh --screenshot ${png}
            --frames 4 --size ${size}
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
  message(FATAL_ERROR "viz_screenshots_zh: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_zh: ${cases} rendered and checked in ${OUT_DIR}")
