# tests/viz/screenshots_blocks.cmake - run by CTest (viz_screenshots_blocks) as cmake -P:
# renders the Blocks panel headless under Xvfb on v2-1.0, on v1-g3-1.0 and in compare
# mode (v1-g3-1.0 beside v2-1.0, both ImageNet), each after the worker's real profile,
# and checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(width 1280)
set(height 800)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/screenshot_check.cmake)
set(cases "v2-1.0" "v1-g3-1.0" "compare")
set(failed "")
foreach(case ${cases})
  if(case STREQUAL "compare")
    set(args --model v1-g3-1.0 --compare v2-1.0 --theme light)
  else()
    set(args --model ${case})
  endif()
  set(png ${OUT_DIR}/blocks-${case}.png)
  sl_screenshot(${case} ${png} ${width} ${height} 120 --panel Blocks ${args} --variant imagenet
                --frames 4)
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_blocks: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_blocks: ${cases} rendered and checked in ${OUT_DIR}")
