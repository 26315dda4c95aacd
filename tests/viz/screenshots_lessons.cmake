# tests/viz/screenshots_lessons.cmake - run by CTest (viz_screenshots_lessons) as cmake -P:
# renders the Lessons panel headless under Xvfb on lesson 01 in English and lesson 05 in
# Chinese (English with a notice where no CJK font is installed), light and dark, and
# checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(width 1280)
set(height 800)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(cases "01-en" "05-zh" "06-zh-light")
set(failed "")
foreach(case ${cases})
  string(SUBSTRING ${case} 0 2 lesson)
  string(SUBSTRING ${case} 3 2 lang)
  set(args --lesson ${lesson} --lang ${lang})
  if(case MATCHES "light")
    list(APPEND args --theme light)
  endif()
  set(png ${OUT_DIR}/lessons-${case}.png)
  execute_process(
    COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui --panel Lessons ${args} --screenshot ${png}
            --frames 3 --size ${width}x${height}
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
  message(FATAL_ERROR "viz_screenshots_lessons: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_lessons: ${cases} rendered and checked in ${OUT_DIR}")
