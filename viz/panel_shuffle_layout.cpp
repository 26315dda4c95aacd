// viz/panel_shuffle_layout.cpp - where the Shuffle canvas puts things: the grid of
// channels of a step (the arrangement with the largest tiles, then placed with one tile
// size for every step), the flat buffer strips, and one channel drawn as a tile of
// H x W floats. Pure geometry over ImDrawList; panel_shuffle_canvas.cpp decides what to draw.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "viz/panel_shuffle.h"

namespace sl::viz::shuffle_draw {

// [SECTION] geometry

static float lerpf(float x, float y, float t) { return x + (y - x) * t; }

Rect lerp(const Rect& x, const Rect& y, float t) {
  return {ImVec2(lerpf(x.a.x, y.a.x, t), lerpf(x.a.y, y.a.y, t)),
          ImVec2(lerpf(x.b.x, y.b.x, t), lerpf(x.b.y, y.b.y, t))};
}

// The arrangement of one step that gives it the largest cells (cell = its fitted size).
Grid grid_for(const ShuffleStep& st, int N, Rect area, float sc) {
  Grid best;
  best.cell = -1;
  const float label = 30 * sc, between = 26 * sc, caption = 20 * sc, max_cell = 64 * sc;
  const float bgap = 22 * sc;  // between folded blocks
  const float w = area.w() - label, h = area.h() - 6 * sc;
  for (int stacked = 0; stacked < (N > 1 ? 2 : 1); ++stacked)
    for (int blocks = 1; blocks <= std::max(1, st.grid_rows / 2); ++blocks) {
      Grid g;
      g.rows = st.grid_rows;
      g.cols = st.grid_cols;
      g.fold = (g.rows + blocks - 1) / blocks;
      const int used_blocks = (g.rows + g.fold - 1) / g.fold;
      const float across = stacked ? 1.f : float(N), down = stacked ? float(N) : 1.f;
      const float cw = (w - (across - 1) * between - across * (used_blocks - 1) * bgap) /
                       (across * used_blocks * g.cols);
      const float ch = (h - down * caption - (down - 1) * between) / (down * g.fold);
      g.cell = std::floor(std::min({cw, ch, max_cell}));
      // Fold only when unfolded cells would be too small to read, and only if it pays.
      if (blocks > 1 && (best.cell >= 12 * sc || g.cell <= best.cell * 1.15f)) continue;
      if (best.cell >= 0 && blocks == 1 && g.cell <= best.cell) continue;
      g.sample_step = ImVec2(stacked, 0);  // remembered for place(): x = stacked
      best = g;
    }
  best.cell = std::max(best.cell, 2.f);
  return best;
}

// Places grid g with cells of size `cell` (at most its fitted size), centred in area.
Grid place(Grid g, float cell, int N, Rect area, float sc) {
  const float label = 30 * sc, between = 26 * sc, caption = 20 * sc, bgap = 22 * sc;
  const float w = area.w() - label, h = area.h() - 6 * sc;
  const bool stacked = g.sample_step.x > 0.5f;
  const int used_blocks = (g.rows + g.fold - 1) / g.fold;
  g.cell = std::min(g.cell, cell);
  g.gap = std::max(1.f, std::round(g.cell * 0.12f));
  g.block_dx = g.cols * g.cell + bgap;
  const float grid_w = used_blocks * g.block_dx - bgap, grid_h = g.fold * g.cell;
  g.sample_step = stacked ? ImVec2(0, grid_h + between + caption) : ImVec2(grid_w + between, 0);
  const float used_w = stacked ? grid_w : N * grid_w + between * (N - 1);
  const float used_h = stacked ? N * (grid_h + caption) + between * (N - 1) : grid_h + caption;
  g.origin = ImVec2(std::round(area.a.x + label + (w - used_w) * 0.5f),
                    std::round(area.a.y + caption + (h - used_h) * 0.5f));
  return g;
}

Strip strip_for(int runs, int HW, float width, float max_h, float sc) {
  Strip s;
  s.runs = runs;
  s.HW = HW;
  s.gap = std::max(2.f, 3 * sc);
  s.vgap = 3 * sc;
  // Wrap into more rows while the floats are thinner than 5 px, as far as the height allows.
  const int max_rows = std::max(1, int((max_h + s.vgap) / (6 * sc + s.vgap)));
  for (int rows = 1; rows <= runs; ++rows) {
    s.per_row = (runs + rows - 1) / rows;
    s.ew = (width - s.gap * (s.per_row - 1)) / float(s.per_row * HW);
    if (s.ew >= 5 * sc || rows >= max_rows) break;
  }
  s.ew = std::min(s.ew, 30 * sc);
  s.eh = std::clamp(std::min(s.ew * HW, 26 * sc), 6 * sc, 26 * sc);
  if (s.height() > max_h) s.eh = std::max(2.f, (max_h + s.vgap) / s.rows() - s.vgap);
  return s;
}

// [SECTION] tokens

void draw_token(ImDrawList* dl, const Rect& r, ImU32 fill, int label, int H, int W, bool selected,
                float alpha, float sc) {
  const float round = std::min(6 * sc, r.w() * 0.22f);
  dl->AddRectFilled(ImVec2(r.a.x, r.a.y + 1.5f * sc), ImVec2(r.b.x, r.b.y + 1.5f * sc),
                    with_alpha(ink().shadow, alpha), round);
  dl->AddRectFilled(r.a, r.b, with_alpha(fill, alpha), round);
  if (H * W > 1 && r.w() >= 16 * sc) {  // the H x W floats of the channel
    const ImU32 line = with_alpha(mix(fill, IM_COL32(0, 0, 0, 255), 0.25f), 0.55f * alpha);
    for (int k = 1; k < W; ++k) {
      const float x = r.a.x + r.w() * k / W;
      dl->AddLine(ImVec2(x, r.a.y + 2), ImVec2(x, r.b.y - 2), line, 1.f);
    }
    for (int k = 1; k < H; ++k) {
      const float y = r.a.y + r.h() * k / H;
      dl->AddLine(ImVec2(r.a.x + 2, y), ImVec2(r.b.x - 2, y), line, 1.f);
    }
  }
  if (r.w() >= 13 * sc) {
    ImFont* font = r.w() >= 30 * sc ? fonts().bold : fonts().small;
    const std::string s = std::to_string(label);
    const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, s.c_str());
    if (ts.x < r.w() - 2) {
      const ImVec2 c = r.center();
      dl->AddText(font, font->FontSize,
                  ImVec2(std::round(c.x - ts.x * 0.5f), std::round(c.y - ts.y * 0.5f)),
                  with_alpha(text_color_on(fill), alpha), s.c_str());
    }
  }
  if (selected) {
    dl->AddRect(ImVec2(r.a.x - 3 * sc, r.a.y - 3 * sc), ImVec2(r.b.x + 3 * sc, r.b.y + 3 * sc),
                ink().text, round + 3 * sc, 0, 2.2f * sc);
  }
}

}  // namespace sl::viz::shuffle_draw
