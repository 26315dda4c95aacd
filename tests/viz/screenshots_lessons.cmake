# tests/viz/screenshots_lessons.cmake - run by CTest (viz_screenshots_lessons) as cmake -P:
# renders the Lessons panel headless under Xvfb on lesson 01 in English and lesson 05 in
# Chinese (English with a notice where no CJK font is installed), light and dark, and
# checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(width 1280)
set(height 800)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/screenshot_check.cmake)
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
  sl_screenshot(${case} ${png} ${width} ${height} 120 --panel Lessons ${args} --frames 3)
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_lessons: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_lessons: ${cases} rendered and checked in ${OUT_DIR}")
