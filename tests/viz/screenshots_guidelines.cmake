# tests/viz/screenshots_guidelines.cmake - run by CTest (viz_screenshots_guidelines) as
# cmake -P: renders the Guidelines panel headless under Xvfb once per experiment (each a
# real quick run, finished before the frame is captured), plus the small windows where the
# panel stacks its chart and view (800x600 in both themes, 1024x768), and checks every PNG
# with png_check. Each shows the backend switch (CUDA disabled, with its reason, where CUDA
# cannot run). The PNGs stay in OUT_DIR to look at.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
set(shots G1|1280x800|dark G2|1280x800|dark G3|1280x800|dark G4|1280x800|dark
          Zero-copy|1280x800|dark G1|800x600|light G2|800x600|dark G4|1024x768|light)
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/screenshot_check.cmake)
set(failed "")
foreach(shot ${shots})
  string(REPLACE "|" ";" parts ${shot})
  list(GET parts 0 experiment)
  list(GET parts 1 size)
  list(GET parts 2 theme)
  string(REPLACE "x" ";" wh ${size})
  list(GET wh 0 width)
  list(GET wh 1 height)
  set(png ${OUT_DIR}/Guidelines-${experiment}-${size}-${theme}.png)
  sl_screenshot(${experiment} ${png} ${width} ${height} 240 --panel Guidelines
                --experiment ${experiment} --frames 5 --theme ${theme})
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_guidelines: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_guidelines: rendered and checked in ${OUT_DIR}")
