// viz/app.h - the public entry of the ImGui app, the one header apps/cmd_gui.cpp
// includes. run_app opens the window (or, with a screenshot path, renders headless
// into an offscreen framebuffer) and returns an exit code; every failure (no display,
// no OpenGL 3.3 context, unknown panel) is one `error: ...` line on stderr, never a crash.
#pragma once
#include <string>
#include <vector>

#include "viz/shuffle_state.h"

namespace sl::viz {

struct AppOptions {
  std::string panel;       // "Shuffle", "Blocks", ... (any case); empty: the last one used
  std::string screenshot;  // non-empty: headless, render `frames` frames, write this PNG, exit
  int frames = 0;          // frames to render before the screenshot (at least 1)
  int width = 1280, height = 800;
  std::string theme;  // "dark" or "light"; empty: the saved one (dark in headless runs)
  float step = -1.f;  // >= 0: start the Shuffle animation at this step (0..4, fractions between)
  bool step_fail =
      false;              // start at the stop between 2 and 3 where view fails without contiguous()
  ShuffleConfig shuffle;  // the Shuffle panel's C, G, N, H, W (default: the article's example)
  float scale = 0.f;  // > 0: draw at this HiDPI scale (1, 1.5, 2); 0: the monitor's (1 headless)
  std::string model, variant,
      compare;             // Blocks panel: model ("v1-g3-1.0"), "imagenet" | "cifar", and
                           // a second model to compare with; empty: v2-1.0, imagenet, none
  std::string experiment;  // Guidelines panel: G1, G2, G3, G4 or Zero-copy (any case); empty: G1
  std::string lesson;      // Lessons panel: "05"; empty: the first lesson
  std::string lang;        // "en" or "zh": app labels and lessons; empty: the saved one
  std::string train_open;  // Train panel: a run folder, weights or checkpoint to open; empty:
                           // the trained model of assets/models when the checkout has it
  bool train_synthetic = false;  // Train panel: train on a tiny synthetic set, paused mid-run
  std::string train_tab;         // Train panel: predictions (default), confusion or features
};

// 0 success, 1 runtime failure (display, OpenGL, writing the PNG), 2 bad options.
int run_app(const AppOptions& opt);

// The panel names in tab order, as --panel accepts them.
const std::vector<std::string>& panel_names();

}  // namespace sl::viz
