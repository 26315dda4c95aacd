// viz/guidelines/panel_guidelines.h - the drawing side of the Guidelines panel, shared by
// panel_guidelines.cpp (layout, controls, tables) and panel_guidelines_charts.cpp (the
// charts). Needs ImGui; the window-free model is guidelines_state.h.
#pragma once
#include <string>
#include <vector>

#include "viz/guidelines/guidelines_state.h"
#include "viz/ui.h"

namespace sl::viz {

struct PlainBar {
  std::string label;
  double value = 0;
  std::string formula;  // hover text
  ImU32 color = 0;      // 0: the accent
  std::string format;   // printf for value and unit; "" gives "%.3g %s"
};
struct G1Measured {
  std::string label;
  double ratio = 1, time_ms = 0;
  int64_t c1 = 0, c2 = 0;
  bool paper = true;  // a row of Table 1, or a slider point
};

std::string fmt_millions(int64_t v);  // 12345678 -> "12.35M"
void header_row();  // the header row of the panel's tables (a plain row on the code colour)

// The experiment-specific views under the table (panel_guidelines_views.cpp), each in
// the space the panel gives it.
void draw_g1_view(GuidelinesState& s, float sc);
void draw_g2_view(GuidelinesState& s, float sc);
void draw_g3_view(GuidelinesState& s, float sc);
void draw_g4_view(GuidelinesState& s, float sc);
void draw_zero_copy_view(GuidelinesState& s, float sc);

// Ours beside the paper's ARM and GPU columns, normalised to the first row, with a
// "holds"/"differs" mark over each row after the first.
void draw_bar_chart(const std::vector<BarRow>& rows, ImVec2 size, float sc, bool cuda);
// One horizontal bar per entry, scaled to the largest.
void draw_plain_bars(const std::vector<PlainBar>& bars, ImVec2 size, float sc, const char* unit);
// G1: MAC and its lower bound against c2/c1 (log axis), measured times on the right axis.
void draw_g1_plot(const std::vector<G1CurvePoint>& curve, const std::vector<G1Measured>& measured,
                  double ratio, ImVec2 size, float sc);

}  // namespace sl::viz
