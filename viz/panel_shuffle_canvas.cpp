// viz/panel_shuffle_canvas.cpp - the moving picture of the Shuffle panel, drawn with
// ImDrawList: on top the tensor as its shape reads it (one grid of channels per sample),
// below the two flat buffers: x's, which steps 0-2 read, and the one contiguous()
// writes, which steps 3-4 read. Between steps every channel glides from its place in one
// step to its place in the next (shuffle_state.h gives the places; the buffers are drawn
// from the real storage). Clicking a channel follows it through every step.
//
// [SECTION] index
//   geometry     rectangles, the grid layout of a step, the buffer strip layout
//   tokens       one channel drawn as a tile of H x W floats
//   canvas       grids, buffers, the copy animation, selection and tooltips
#include <algorithm>
#include <cmath>

#include "viz/app_state.h"

namespace sl::viz {

// [SECTION] geometry

namespace {

struct Rect {
  ImVec2 a, b;
  float w() const { return b.x - a.x; }
  float h() const { return b.y - a.y; }
  ImVec2 center() const { return ImVec2((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f); }
  bool contains(ImVec2 p) const { return p.x >= a.x && p.x < b.x && p.y >= a.y && p.y < b.y; }
};

float lerpf(float x, float y, float t) { return x + (y - x) * t; }
Rect lerp(const Rect& x, const Rect& y, float t) {
  return {ImVec2(lerpf(x.a.x, y.a.x, t), lerpf(x.a.y, y.a.y, t)),
          ImVec2(lerpf(x.b.x, y.b.x, t), lerpf(x.b.y, y.b.y, t))};
}

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

Grid grid_for(const ShuffleStep& st, int N, Rect area, float sc) {
  Grid best;
  best.cell = -1;
  const float label = 30 * sc, between = 26 * sc, caption = 20 * sc, max_cell = 52 * sc;
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
      g.gap = std::max(1.f, std::round(g.cell * 0.12f));
      g.block_dx = g.cols * g.cell + bgap;
      const float grid_w = used_blocks * g.block_dx - bgap, grid_h = g.fold * g.cell;
      g.sample_step = stacked ? ImVec2(0, grid_h + between + caption) : ImVec2(grid_w + between, 0);
      const float used_w = stacked ? grid_w : N * grid_w + between * (N - 1);
      const float used_h = stacked ? N * (grid_h + caption) + between * (N - 1) : grid_h + caption;
      g.origin = ImVec2(std::round(area.a.x + label + (w - used_w) * 0.5f),
                        std::round(area.a.y + caption + (h - used_h) * 0.5f));
      best = g;
    }
  best.cell = std::max(best.cell, 2.f);
  return best;
}

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
  s.ew = std::min(s.ew, 22 * sc);
  s.eh = std::clamp(std::min(s.ew * HW, 24 * sc), 6 * sc, 24 * sc);
  if (s.height() > max_h) s.eh = std::max(2.f, (max_h + s.vgap) / s.rows() - s.vgap);
  return s;
}

// [SECTION] tokens

void draw_token(ImDrawList* dl, const Rect& r, ImU32 fill, int label, int side, bool selected,
                float alpha, float sc) {
  const float round = std::min(6 * sc, r.w() * 0.22f);
  dl->AddRectFilled(ImVec2(r.a.x, r.a.y + 1.5f * sc), ImVec2(r.b.x, r.b.y + 1.5f * sc),
                    with_alpha(ink().shadow, alpha), round);
  dl->AddRectFilled(r.a, r.b, with_alpha(fill, alpha), round);
  if (side > 1 && r.w() >= 16 * sc) {  // the H x W floats of the channel
    const ImU32 line = with_alpha(mix(fill, IM_COL32(0, 0, 0, 255), 0.25f), 0.55f * alpha);
    for (int k = 1; k < side; ++k) {
      const float x = r.a.x + r.w() * k / side, y = r.a.y + r.h() * k / side;
      dl->AddLine(ImVec2(x, r.a.y + 2), ImVec2(x, r.b.y - 2), line, 1.f);
      dl->AddLine(ImVec2(r.a.x + 2, y), ImVec2(r.b.x - 2, y), line, 1.f);
    }
  }
  if (r.w() >= 13 * sc) {
    ImFont* font = r.w() >= 30 * sc ? fonts().bold : fonts().small;
    const std::string s = std::to_string(label);
    const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, s.c_str());
    if (ts.x < r.w() - 2) {
      const ImVec2 c = r.center();
      dl->AddText(font, font->FontSize, ImVec2(std::round(c.x - ts.x * 0.5f),
                                               std::round(c.y - ts.y * 0.5f)),
                  with_alpha(text_color_on(fill), alpha), s.c_str());
    }
  }
  if (selected) {
    dl->AddRect(ImVec2(r.a.x - 3 * sc, r.a.y - 3 * sc), ImVec2(r.b.x + 3 * sc, r.b.y + 3 * sc),
                ink().text, round + 3 * sc, 0, 2.2f * sc);
  }
}

}  // namespace

// [SECTION] canvas

void draw_shuffle_canvas(AppState& app, ImVec2 size) {
  ShuffleState& s = app.shuffle;
  const ShuffleConfig& c = s.cfg;
  const ShuffleModel& m = s.model;
  const float sc = app.scale;
  const int N = c.N, C = c.C, HW = (int)m.HW, Cg = C / c.g;
  size.x = std::max(size.x, 100.f);
  size.y = std::max(size.y, 120.f);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("canvas", size);
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  ImFont* small = fonts().small;

  const StepBlend bl = blend_at(s.clock.t);
  const float lin = std::clamp(s.clock.t - bl.from, 0.f, 1.f);  // un-eased, for staggering
  const int now = s.clock.nearest();
  const int sel = s.selected, sel_n = s.selected_n;
  int hit_c = -1, hit_n = 0;
  std::string tip;

  // Areas: a gutter of labels on the left; the buffers take what they need at the bottom
  // (at most ~42%), the grids the rest.
  const float gutter = 104 * sc, between = 46 * sc, offsets_h = small->FontSize + 2 * sc;
  const float strip_max_h = std::max(8 * sc, (size.y * 0.42f - between - offsets_h) * 0.5f);
  Strip sa = strip_for(N * C, HW, size.x - gutter - 4 * sc, strip_max_h, sc);
  Strip sb = sa;
  const bool offsets = sa.rows() == 1;  // offsets under x's buffer when it fits on one row
  const float mem_h = 2 * sa.height() + between + (offsets ? offsets_h : 0.f) + 22 * sc;
  const Rect grid_area{ImVec2(p0.x + gutter, p0.y), ImVec2(p0.x + size.x, p0.y + size.y - mem_h)};
  const Rect mem_area{ImVec2(p0.x + gutter, p0.y + size.y - mem_h),
                      ImVec2(p0.x + size.x, p0.y + size.y)};
  auto gutter_label = [&](float y, const char* title, const char* sub, bool active) {
    dl->AddText(fonts().bold, fonts().bold->FontSize, ImVec2(p0.x, y), active ? k.text : k.dim,
                title);
    dl->AddText(small, small->FontSize, ImVec2(p0.x, y + fonts().bold->FontSize + 2 * sc), k.dim,
                sub);
  };
  gutter_label(grid_area.a.y + 2 * sc, "tensor", "as its shape reads", true);
  dl->AddLine(ImVec2(p0.x, mem_area.a.y - 2 * sc), ImVec2(p0.x + size.x, mem_area.a.y - 2 * sc),
              k.faint, 1.f);

  // ---- grids -------------------------------------------------------------------------
  const Grid ga = grid_for(m.steps[bl.from], N, grid_area, sc);
  const Grid gb = grid_for(m.steps[bl.to], N, grid_area, sc);
  auto group_labels = [&](const Grid& g, int step, float alpha) {
    if (alpha <= 0.02f || g.cell < 12 * sc) return;
    for (int n = 0; n < N; ++n) {
      const Rect first = g.cell_rect(n, {0, 0});
      char cap[64];
      std::snprintf(cap, sizeof cap, "sample %d  %s%s", n,
                    step == 1 ? "[G rows, C/G cols]" : step == 2 || step == 3 ? "[C/G rows, G cols]"
                                                                               : "[C]",
                    g.fold < g.rows ? ", folded" : "");
      dl->AddText(small, small->FontSize, ImVec2(first.a.x, first.a.y - 17 * sc),
                  with_alpha(k.dim, alpha), cap);
      if (step == 1 && g.fold == g.rows)  // rows are groups (unless folded)
        for (int q = 0; q < c.g; ++q) {
          const Rect r = g.cell_rect(n, {q, 0});
          char t[16];
          std::snprintf(t, sizeof t, "G%d", q);
          dl->AddText(small, small->FontSize, ImVec2(r.a.x - 24 * sc, r.center().y - 7 * sc),
                      with_alpha(group_color(q, c.g), alpha), t);
        }
    }
  };
  group_labels(ga, bl.from, 1.f - bl.f);
  group_labels(gb, bl.to, bl.f);

  Rect sel_token{};
  for (int n = 0; n < N; ++n)
    for (int ch = 0; ch < C; ++ch) {
      const Rect r = lerp(ga.cell_rect(n, channel_cell(c, bl.from, ch)),
                          gb.cell_rect(n, channel_cell(c, bl.to, ch)), bl.f);
      const int q = group_of(c, ch);
      const bool is_sel = ch == sel && n == sel_n;
      const float alpha = sel >= 0 && !is_sel ? 0.55f : 1.f;
      draw_token(dl, r, group_color(q, c.g, ch % Cg, Cg), ch, c.size, is_sel, alpha, sc);
      if (is_sel) sel_token = r;
      if (hovered && r.contains(mouse)) {
        hit_c = ch, hit_n = n;
        const GridCell g = channel_cell(c, now, ch);
        char t[256];
        std::snprintf(t, sizeof t,
                      "channel %d of sample %d (group %d, #%d of %d)\nvalue %d in all %d floats\n"
                      "index at step %d: [%d][%d] of the grid\nbuffer offset = (n\xC2\xB7" "C + "
                      "slot)\xC2\xB7H\xC2\xB7W = (%d\xC2\xB7%d + %d)\xC2\xB7%d = %d",
                      ch, n, q, ch % Cg, Cg, ch, HW, now, g.row, g.col, n, C,
                      channel_slot(c, now, ch), HW, (n * C + channel_slot(c, now, ch)) * HW);
        tip = t;
      }
    }

  // ---- buffers -----------------------------------------------------------------------
  // x's buffer on top, y's below: the copy threads run between them.
  sa.origin = ImVec2(mem_area.a.x, mem_area.a.y + 8 * sc);
  sb.origin = ImVec2(sa.origin.x, sa.origin.y + sa.height() + between + (offsets ? offsets_h : 0.f));
  const std::vector<float>& buf_a = m.steps[0].storage;  // x's buffer (steps 0-2)
  const std::vector<float>& buf_b = m.steps[3].storage;  // contiguous()'s buffer (steps 3-4)
  // When t is already contiguous (G = 1 or G = C: a transpose with a dim of size 1),
  // contiguous() returns it as is: y reads x's buffer and nothing moves.
  const bool copies = m.steps[3].bytes > 0;
  const bool reading_a = now <= 2 || !copies;
  char sub[64];
  std::snprintf(sub, sizeof sub, "%d floats", N * C * HW);
  gutter_label(sa.origin.y - 3 * sc, "x's buffer", sub, reading_a);
  std::snprintf(sub, sizeof sub, copies ? "new: %d B" : "is x's: %d B", (int)m.steps[3].bytes);
  gutter_label(sb.origin.y - 3 * sc, "y's buffer", sub, !reading_a);
  {  // an accent bar marks the buffer the current step reads
    const Strip& st = reading_a ? sa : sb;
    dl->AddRectFilled(ImVec2(p0.x + gutter - 12 * sc, st.origin.y),
                      ImVec2(p0.x + gutter - 8 * sc, st.origin.y + st.height()), k.accent, 2 * sc);
  }

  auto draw_run = [&](const Strip& st, int r, const std::vector<float>& buf, float alpha) {
    const Rect rr = st.run_rect(r);
    const float round = std::min(4 * sc, st.ew * 0.4f);
    for (int e = 0; e < HW; ++e) {
      const int v = (int)buf[size_t(r) * HW + e];  // the value stored there names its channel
      const ImVec2 a(rr.a.x + e * st.ew, rr.a.y), b(a.x + st.ew - (st.ew >= 6 ? 1.f : 0.f), rr.b.y);
      const ImDrawFlags f = HW == 1 ? 0 : e == 0 ? ImDrawFlags_RoundCornersLeft
                                      : e == HW - 1 ? ImDrawFlags_RoundCornersRight
                                                    : ImDrawFlags_RoundCornersNone;
      dl->AddRectFilled(a, b, with_alpha(group_color(group_of(c, v), c.g, v % Cg, Cg), alpha),
                        round, f);
    }
  };
  // How far the copy of output run j has got during 2 -> 3: contiguous() writes y in order.
  auto copy_progress = [&](int run) {
    if (!copies) return 0.f;
    if (s.clock.t <= 2.f) return 0.f;
    if (s.clock.t >= 3.f) return 1.f;
    const float delay = 0.6f * float(run) / float(N * C);
    return ease((lin - delay) / 0.4f);
  };
  for (int r = 0; r < N * C; ++r) {
    draw_run(sa, r, buf_a, reading_a ? 1.f : 0.7f);
    const float p = copy_progress(r);
    if (p >= 1.f)
      draw_run(sb, r, buf_b, 1.f);
    else
      dl->AddRect(sb.run_rect(r).a, sb.run_rect(r).b, k.faint, 3 * sc);
  }
  if (offsets)
    for (int r = 0; r < N * C; ++r) {
      const Rect rr = sa.run_rect(r);
      const std::string t = std::to_string(r * HW);
      if (small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, t.c_str()).x < rr.w() - 2)
        dl->AddText(small, small->FontSize * 0.9f, ImVec2(rr.a.x + 1, rr.b.y + 1), k.dim, t.c_str());
    }

  // The copy: each channel run travels from slot c of x's buffer to slot j of y's.
  for (int n = 0; n < N; ++n)
    for (int ch = 0; ch < C; ++ch) {
      const int src = n * C + channel_slot(c, 2, ch), dst = n * C + channel_slot(c, 3, ch);
      const Rect ra = sa.run_rect(src), rb = sb.run_rect(dst);
      const bool is_sel = ch == sel && n == sel_n;
      if (copies && s.clock.t > 2.f) {  // the permutation, as threads from x's slots to y's
        const float a = std::min(1.f, (s.clock.t - 2.f) * 2.f) * (is_sel ? 1.f : 0.3f);
        const ImVec2 from(ra.center().x, ra.b.y + (offsets ? small->FontSize + 2 : 1.f)),
            to(rb.center().x, rb.a.y - 1);
        dl->AddBezierCubic(from, ImVec2(from.x, from.y + between * 0.6f),
                           ImVec2(to.x, to.y - between * 0.6f), to,
                           with_alpha(group_color(group_of(c, ch), c.g), a),
                           (is_sel ? 2.5f : 1.f) * sc);
      }
      const float p = copy_progress(dst);
      if (p > 0.f && p < 1.f) {  // in flight
        Rect r = lerp(ra, rb, p);
        for (int e = 0; e < HW; ++e) {
          const float w = r.w() / HW;
          dl->AddRectFilled(ImVec2(r.a.x + e * w, r.a.y), ImVec2(r.a.x + (e + 1) * w - 1, r.b.y),
                            group_color(group_of(c, ch), c.g, ch % Cg, Cg), 2.f);
        }
      }
      if (is_sel) {  // outline the followed channel in the buffer this step reads
        const Rect rr = reading_a ? ra : rb;
        if (!reading_a)  // and, fainter, where it came from
          dl->AddRect(ImVec2(ra.a.x - 2 * sc, ra.a.y - 2 * sc), ImVec2(ra.b.x + 2 * sc, ra.b.y + 2 * sc),
                      with_alpha(k.text, 0.45f), 4 * sc, 0, 1.5f * sc);
        dl->AddRect(ImVec2(rr.a.x - 2 * sc, rr.a.y - 2 * sc), ImVec2(rr.b.x + 2 * sc, rr.b.y + 2 * sc),
                    k.text, 4 * sc, 0, 2 * sc);
        if (bl.f < 0.02f || bl.f > 0.98f)  // at rest: tie the tile to its floats
          dl->AddLine(ImVec2(sel_token.center().x, sel_token.b.y + 4 * sc),
                      ImVec2(rr.center().x, rr.a.y - 3 * sc), with_alpha(k.text, 0.5f), 1.2f * sc);
      }
      for (int which = 0; which < 2 && hovered && hit_c < 0; ++which) {
        const Rect rr = which == 0 ? ra : rb;
        if (!rr.contains(mouse) || (which == 1 && copy_progress(dst) < 1.f)) continue;
        hit_c = ch, hit_n = n;
        const int slot = which == 0 ? src - n * C : dst - n * C, off = (n * C + slot) * HW;
        char t[200];
        std::snprintf(t, sizeof t,
                      "%s buffer, floats %d..%d: channel %d of sample %d\noffset = (n\xC2\xB7" "C + "
                      "slot)\xC2\xB7H\xC2\xB7W = (%d\xC2\xB7%d + %d)\xC2\xB7%d = %d",
                      which == 0 ? "x's" : "y's", off, off + HW - 1, ch, n, n, C, slot, HW, off);
        tip = t;
      }
    }

  if (!tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
  if (clicked) {
    if (hit_c >= 0 && !(hit_c == s.selected && hit_n == s.selected_n))
      s.selected = hit_c, s.selected_n = hit_n;
    else
      s.selected = -1;
  }
}

}  // namespace sl::viz
