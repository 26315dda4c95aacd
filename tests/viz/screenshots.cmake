# tests/viz/screenshots.cmake - run by CTest (viz_screenshots) as cmake -P: renders the
# app headless under Xvfb, the way the README's pictures are made, and checks every PNG
# (exists, the asked size, not blank) with png_check. The Shuffle panel is rendered at
# 800x600, 1024x768, 1280x800 and 1920x1080 in both themes, at HiDPI scales 1.5 and 2,
# and in a few configurations; the other panels once. Look at them after a layout change:
# they stay in OUT_DIR (build/release/tests/viz/screenshots/).
# Inputs: -DBIN=shufflelab -DXVFB_RUN=xvfb-run -DPNG_CHECK=png_check -DOUT_DIR=dir
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
set(failed "")

# shot(NAME WxH ARGS...): one PNG, OUT_DIR/NAME.png, of `shufflelab gui ARGS`. A tab that
# shows one sentence is mostly background: set SHARE to the colour share it may reach.
set(SHARE 0.97)
function(shot name size)
  set(png ${OUT_DIR}/${name}.png)
  execute_process(
    COMMAND ${XVFB_RUN} -a -f ${OUT_DIR}/xauth ${BIN} gui --screenshot ${png} --frames 5 --size ${size} ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${png})
    message(SEND_ERROR "${name}: shufflelab gui exited ${rc}, png written: ${png}\n${out}${err}")
    set(failed ${failed} ${name} PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "x" ";" wh ${size})
  list(GET wh 0 w)
  list(GET wh 1 h)
  execute_process(COMMAND ${PNG_CHECK} ${png} ${w} ${h} 64 ${SHARE}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    set(failed ${failed} ${name} PARENT_SCOPE)
  endif()
endfunction()

# The Shuffle panel at step 2 (the read path), every size, both themes.
foreach(size 800x600 1024x768 1280x800 1920x1080)
  foreach(theme dark light)
    shot(Shuffle-${size}-${theme} ${size} --panel Shuffle --theme ${theme} --step 2)
  endforeach()
endforeach()
# HiDPI: the same logical 1024x768 at scale 1.5 and 2.
shot(Shuffle-hidpi1.5-dark 1536x1152 --panel Shuffle --theme dark --scale 1.5 --step 2)
shot(Shuffle-hidpi2-light 2048x1536 --panel Shuffle --theme light --scale 2 --step 3)
# The failing view, the copy in flight, and configurations away from the article's.
shot(Shuffle-fail-1024x768-light 1024x768 --panel Shuffle --theme light --step fail)
shot(Shuffle-copy-1280x800-dark 1280x800 --panel Shuffle --theme dark --step 2.6)
shot(Shuffle-C12-G3-1280x800-light 1280x800 --panel Shuffle --theme light --shape 1x12x1x4 --groups 3 --step 3)
shot(Shuffle-C64-G8-1920x1080-dark 1920x1080 --panel Shuffle --theme dark --shape 2x64x4x4 --groups 8 --step 2)
# The other tabs (before their panels are built, one sentence each).
set(SHARE 0.995)
foreach(panel Blocks Guidelines Train Lessons)
  shot(${panel} 1280x800 --panel ${panel})
endforeach()

if(failed)
  message(FATAL_ERROR "viz_screenshots: failed: ${failed}")
endif()
message(STATUS "viz_screenshots: rendered and checked in ${OUT_DIR}")
