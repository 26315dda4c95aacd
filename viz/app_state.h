// viz/app_state.h - the app's one plain state struct (Dear ImGui's example style):
// everything a frame reads or changes, and one draw function per panel. app.cpp owns
// the window, the loop and the keys; app_ui.cpp draws the frame; panel_*.cpp the panels.
#pragma once
#include <string>
#include <vector>

#include "viz/blocks/blocks_state.h"
#include "viz/guidelines/guidelines_state.h"
#include "viz/lessons/lessons_state.h"
#include "viz/shuffle_state.h"
#include "viz/train/train_state.h"
#include "viz/ui.h"

namespace sl::viz {

enum class Panel { shuffle, blocks, guidelines, train, lessons };
constexpr int kPanelCount = 5;
const char* panel_title(Panel p);
bool panel_from_name(const std::string& name, Panel* out);  // case-insensitive

// A key press (GLFW key code) queued by app.cpp's key callback for the next frame.
struct KeyPress {
  int key = 0;
  bool ctrl = false, repeat = false;
};

struct AppState {
  // shell
  Panel panel = Panel::shuffle;
  bool select_panel = true;  // make the tab bar open `panel` on the next frame
  bool dark = true;
  bool show_help = false;      // F1 overlay
  bool headless = false;       // screenshot mode: no input, no settings, fixed time step
  float scale = 1.f;           // window content scale (HiDPI)
  std::string png_request;     // "Save PNG": written after this frame renders
  std::vector<KeyPress> keys;  // presses since the last frame
  std::string toast;           // one-line message shown for a few seconds
  float toast_left = 0.f;

  // panels
  ShuffleState shuffle;
  BlocksState blocks;
  GuidelinesState guidelines;  // viz/guidelines/
  LessonsState lessons;
  TrainPanelState train;  // viz/train/
};

// [SECTION] frame and panels
void draw_frame(AppState& app);                        // app_ui.cpp: top bar, tabs, help overlay
void draw_panel_shuffle(AppState& app);                // panel_shuffle.cpp
void draw_shuffle_canvas(AppState& app, ImVec2 size);  // panel_shuffle_canvas.cpp
void draw_shuffle_fig1(AppState& app);                 // panel_shuffle_fig1.cpp
void draw_shuffle_inverse(AppState& app);              // panel_shuffle_fig1.cpp
void draw_panel_guidelines(AppState& app);             // guidelines/panel_guidelines.cpp
void draw_panel_blocks(AppState& app);                 // blocks/panel_blocks.cpp
void draw_panel_lessons(AppState& app);                // lessons/panel_lessons.cpp
void draw_panel_train(AppState& app);                  // train/panel_train.cpp

// app_ui.cpp: the top bar's EN / 中文 - the labels (viz/i18n.h) and the Lessons panel's
// text; the labels stay English when no CJK font was loaded.
void set_app_lang(AppState& app, bool zh);

}  // namespace sl::viz
