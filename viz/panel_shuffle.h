// viz/panel_shuffle.h - the pieces the Shuffle panel's files share (not a public API:
// app_state.h declares the panel's entry points): the timeline's labels, a flowing
// layout helper, the scrub bar and the step cards (panel_shuffle_steps.cpp), and the
// canvas geometry (panel_shuffle_layout.cpp).
#pragma once
#include <string>

#include "viz/app_state.h"

namespace sl::viz {

// [SECTION] timeline labels and cards (panel_shuffle_steps.cpp)
const char* stop_label(const ShuffleState& s, int stop);   // "transpose(1, 2)", "view fails"
std::string stop_number(const ShuffleState& s, int stop);  // "2", or "✗" for the failing view
// Before an item `w` pixels wide: keep it on the current line when it fits, else wrap.
void flow(float w, bool first);
void draw_scrub_bar(AppState& app);
// The card of the current stop (what it did, a (?) formula on every number), given the
// room of the tallest card of all stops so that what follows keeps its place.
void draw_stop_card(AppState& app);

// [SECTION] canvas geometry (panel_shuffle_layout.cpp)
namespace shuffle_draw {

struct Rect {
  ImVec2 a, b;
  float w() const { return b.x - a.x; }
  float h() const { return b.y - a.y; }
  ImVec2 center() const { return ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f); }
  bool contains(ImVec2 p) const { return p.x >= a.x && p.x < b.x && p.y >= a.y && p.y < b.y; }
};

Rect lerp(const Rect& x, const Rect& y, float t);

// A step's channels as rows x cols per sample, centred in `area`. Samples sit side by side
// or stacked; a tall grid (C/G rows of G) is folded into blocks of rows placed side by side.
// Of all these arrangements the one with the largest cells wins.
struct Grid {
  int rows = 1, cols = 1, fold = 1;  // fold: rows per block
  float cell = 10, gap = 1, block_dx = 0;
  ImVec2 origin, sample_step;  // top-left of sample 0's grid; offset from one sample to the next
  Rect cell_rect(int n, GridCell g) const {
    const int block = g.row / fold, row = g.row % fold;
    const ImVec2 p(origin.x + n * sample_step.x + block * block_dx + g.col * cell,
                   origin.y + n * sample_step.y + row * cell);
    return {p, ImVec2(p.x + cell - gap, p.y + cell - gap)};
  }
};

// The arrangement of one step that gives it the largest tiles (cell = its fitted size).
Grid grid_for(const ShuffleStep& st, int N, Rect area, float sc);
// Places grid g with tiles of size `cell` (at most its fitted size), centred in area.
Grid place(Grid g, float cell, int N, Rect area, float sc);

// The flat buffer as runs of H*W floats (one run per channel of each sample), wrapped.
struct Strip {
  int per_row = 1, runs = 1, HW = 1;
  float ew = 10, eh = 10, gap = 2, vgap = 3;
  ImVec2 origin;
  Rect run_rect(int r) const {
    const int row = r / per_row, col = r % per_row;
    const ImVec2 p(origin.x + col * (HW * ew + gap), origin.y + row * (eh + vgap));
    return {p, ImVec2(p.x + HW * ew, p.y + eh)};
  }
  int rows() const { return (runs + per_row - 1) / per_row; }
  float height() const { return rows() * (eh + vgap) - vgap; }
};

Strip strip_for(int runs, int HW, float width, float max_h, float sc);

// One channel as a tile of H x W floats, labelled with its number where it fits.
void draw_token(ImDrawList* dl, const Rect& r, ImU32 fill, int label, int H, int W, bool selected,
                float alpha, float sc);

}  // namespace shuffle_draw
}  // namespace sl::viz
