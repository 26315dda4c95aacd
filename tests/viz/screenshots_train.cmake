# tests/viz/screenshots_train.cmake - run by CTest (viz_screenshots_train) as cmake -P:
# renders the Train panel headless under Xvfb mid-training (--train-synthetic: v2-0.5 on a
# tiny synthetic CIFAR-10 set, paused in its third epoch after two evaluated epochs) at
# 800x600, 1280x800 and 1920x1080 in both themes, each size on another of the three tabs,
# and checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/screenshot_check.cmake)
set(cases "800x600:predictions" "1280x800:features" "1920x1080:confusion")
set(failed "")
foreach(case ${cases})
  string(REPLACE ":" ";" parts ${case})
  list(GET parts 0 size)
  list(GET parts 1 tab)
  string(REPLACE "x" ";" wh ${size})
  list(GET wh 0 width)
  list(GET wh 1 height)
  foreach(theme dark light)
    set(png ${OUT_DIR}/train-${size}-${tab}-${theme}.png)
    sl_screenshot("${size}-${theme}" ${png} ${width} ${height} 240 --panel Train --train-synthetic
                  --train-tab ${tab} --theme ${theme} --frames 4)
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_train: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_train: ${cases} in both themes rendered and checked in ${OUT_DIR}")
