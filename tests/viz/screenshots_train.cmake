# tests/viz/screenshots_train.cmake - run by CTest (viz_screenshots_train) as cmake -P:
# renders the Train panel headless under Xvfb mid-training (--train-synthetic: v2-0.5 on a
# tiny synthetic CIFAR-10 set, paused in its third epoch after two evaluated epochs) at
# 800x600, 1280x800 and 1920x1080 in both themes, each size on another of the three tabs,
# and checks every PNG (exists, right size, not blank) with png_check.
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
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
    execute_process(
      COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui --panel Train --train-synthetic
              --train-tab ${tab} --theme ${theme} --screenshot ${png} --frames 4 --size ${size}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 240)
    if(NOT rc EQUAL 0 OR NOT EXISTS ${png})
      message(SEND_ERROR "${size} ${tab} ${theme}: shufflelab gui exited ${rc}, png: ${png}\n${out}${err}")
      list(APPEND failed "${size}-${theme}")
      continue()
    endif()
    execute_process(COMMAND ${PNG_CHECK} ${png} ${width} ${height}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    message(STATUS "${out}${err}")
    if(NOT rc EQUAL 0)
      list(APPEND failed "${size}-${theme}")
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "viz_screenshots_train: failed: ${failed}")
endif()
message(STATUS "viz_screenshots_train: ${cases} in both themes rendered and checked in ${OUT_DIR}")
