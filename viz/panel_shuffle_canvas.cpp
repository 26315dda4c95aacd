// viz/panel_shuffle_canvas.cpp - the moving picture of the Shuffle panel, drawn with
// ImDrawList: on top the tensor as its shape reads it (one grid of channels per sample),
// below the two flat buffers: x's, which steps 0-2 read, and the one contiguous()
// writes, which steps 3-4 read. Between steps every channel glides from its place in one
// step to its place in the next (shuffle_state.h gives the places; the buffers are drawn
// from the real storage). At step 2 numbered hops follow the transposed view's read
// path through x's buffer; at step 3 the copy writes that order down into y's buffer.
// Clicking a channel follows it through every step.
//
// Where things go (grids, strips, tiles) is panel_shuffle_layout.cpp.
//
// [SECTION] index
//   helpers      ramps, Bezier points, the numbered read badge
//   canvas       grids, buffers, the read path, the copy animation, selection, tooltips
#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

#include "viz/i18n.h"
#include "viz/panel_shuffle.h"

namespace sl::viz {

using namespace shuffle_draw;

// [SECTION] helpers

namespace {

float ramp(float x, float a, float b) { return std::clamp((x - a) / (b - a), 0.f, 1.f); }

ImVec2 bezier(ImVec2 p0, ImVec2 p1, ImVec2 p2, ImVec2 p3, float t) {
  const float u = 1.f - t, a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
  return ImVec2(a * p0.x + b * p1.x + c * p2.x + d * p3.x,
                a * p0.y + b * p1.y + c * p2.y + d * p3.y);
}

// A small numbered disc: the k-th read of the transposed view.
void read_badge(ImDrawList* dl, ImFont* font, ImVec2 centre, int k, float r, float alpha) {
  dl->AddCircleFilled(centre, r, with_alpha(ink().accent, alpha), 16);
  const std::string t = std::to_string(k);
  const float fs = font->FontSize * (t.size() > 2 ? 0.75f : 0.9f);
  const ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0, t.c_str());
  dl->AddText(font, fs,
              ImVec2(std::round(centre.x - ts.x * 0.5f), std::round(centre.y - ts.y * 0.5f)),
              with_alpha(IM_COL32(255, 255, 255, 255), alpha), t.c_str());
}

}  // namespace

// [SECTION] canvas

void draw_shuffle_canvas(AppState& app, ImVec2 size) {
  ShuffleState& s = app.shuffle;
  const ShuffleConfig& c = s.cfg;
  const ShuffleModel& m = s.model;
  const float sc = app.scale;
  const int N = c.N, C = c.C, HW = (int)m.HW, Cg = C / c.g, runs = N * C;
  size.x = std::max(size.x, 100.f);
  size.y = std::max(size.y, 120.f);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("canvas", size);
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  ImFont* small = fonts().small;

  const float tt = s.step_t();  // 0..4 over the five tensors
  const StepBlend bl = blend_at(tt);
  const float lin = std::clamp(tt - bl.from, 0.f, 1.f);  // un-eased, for staggering
  const int now = s.step_now();
  const int sel = s.selected, sel_n = s.selected_n;
  int hit_c = -1, hit_n = 0;
  std::string tip;

  // Areas: a gutter of labels on the left; the buffers take what they need at the bottom
  // (at most ~45%), the grids the rest. Above x's buffer: room for the read path's hops.
  const float gutter = 110 * sc, between = 38 * sc, label_h = small->FontSize + 2 * sc;
  const float hop_h = 40 * sc;
  const float strip_max_h =
      std::max(14 * sc, (size.y * 0.5f - between - hop_h - 2 * label_h - 14 * sc) * 0.5f);
  Strip sa = strip_for(runs, HW, size.x - gutter - 4 * sc, strip_max_h, sc);
  Strip sb = sa;
  const bool one_row = sa.rows() == 1;  // offsets, badges and hops need one row per buffer
  const float lab = one_row ? label_h : 0.f;
  const float mem_h = hop_h + 2 * sa.height() + between + 2 * lab + 14 * sc;
  const Rect grid_area{ImVec2(p0.x + gutter, p0.y), ImVec2(p0.x + size.x, p0.y + size.y - mem_h)};
  const Rect mem_area{ImVec2(p0.x + gutter, p0.y + size.y - mem_h),
                      ImVec2(p0.x + size.x, p0.y + size.y)};
  auto gutter_label = [&](float y, const char* title, const char* sub, bool active) {
    dl->AddText(fonts().bold, fonts().bold->FontSize, ImVec2(p0.x, y), active ? k.text : k.dim,
                title);
    dl->AddText(small, small->FontSize, ImVec2(p0.x, y + fonts().bold->FontSize + 2 * sc), k.dim,
                sub);
  };
  gutter_label(grid_area.a.y + 2 * sc, tr("tensor"), tr("as its shape reads"), true);
  {  // the grid's axes at this step, under the gutter label
    static const char* axes[kShuffleSteps] = {"C in a row", "G x C/G grid", "C/G x G grid",
                                              "C/G x G grid", "C in a row"};
    const float y = grid_area.a.y + 2 * sc + fonts().bold->FontSize + small->FontSize + 6 * sc;
    dl->AddText(small, small->FontSize, ImVec2(p0.x, y), k.dim, tr(axes[now]));
  }
  dl->AddLine(ImVec2(p0.x, mem_area.a.y - 2 * sc), ImVec2(p0.x + size.x, mem_area.a.y - 2 * sc),
              k.faint, 1.f);

  // ---- grids: one tile size for every step, the largest that fits them all -----------
  Grid fitted[kShuffleSteps];
  float cell = FLT_MAX;
  for (int st = 0; st < kShuffleSteps; ++st) {
    fitted[st] = grid_for(m.steps[st], N, grid_area, sc);
    cell = std::min(cell, fitted[st].cell);
  }
  const Grid ga = place(fitted[bl.from], cell, N, grid_area, sc);
  const Grid gb = place(fitted[bl.to], cell, N, grid_area, sc);
  auto group_labels = [&](const Grid& g, int step, float alpha) {
    if (alpha <= 0.02f || g.cell < 12 * sc) return;
    for (int n = 0; n < N; ++n) {
      const Rect first = g.cell_rect(n, {0, 0});
      char cap[64];
      std::snprintf(cap, sizeof cap, tr("sample %d%s"), n, g.fold < g.rows ? tr(", folded") : "");
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
      draw_token(dl, r, group_color(q, c.g, ch % Cg, Cg), ch, c.H, c.W, is_sel, alpha, sc);
      if (is_sel) sel_token = r;
      if (hovered && r.contains(mouse)) {
        hit_c = ch, hit_n = n;
        const GridCell g = channel_cell(c, now, ch);
        char t[256];
        std::snprintf(
            t, sizeof t,
            tr("channel %d of sample %d (group %d, #%d of %d)\nvalue %d in all %d floats\n"
               "index at step %d: [%d][%d] of the grid\nbuffer offset = (n\xC2\xB7"
               "C + "
               "slot)\xC2\xB7H\xC2\xB7W = (%d\xC2\xB7%d + %d)\xC2\xB7%d = %d"),
            ch, n, q, ch % Cg, Cg, ch, HW, now, g.row, g.col, n, C, channel_slot(c, now, ch), HW,
            (n * C + channel_slot(c, now, ch)) * HW);
        tip = t;
      }
    }

  // ---- buffers -----------------------------------------------------------------------
  // x's buffer on top, y's below: the copy threads run between them.
  sa.origin = ImVec2(mem_area.a.x, mem_area.a.y + hop_h);
  sb.origin = ImVec2(sa.origin.x, sa.origin.y + sa.height() + lab + between);
  const std::vector<float>& buf_a = m.steps[0].storage;  // x's buffer (steps 0-2)
  const std::vector<float>& buf_b = m.steps[3].storage;  // contiguous()'s buffer (steps 3-4)
  // When t is already contiguous (G = 1 or G = C: a transpose with a dim of size 1),
  // contiguous() returns it as is: y reads x's buffer and nothing moves.
  const bool copies = m.steps[3].bytes > 0;
  const bool reading_a = now <= 2 || !copies;
  char sub[64];
  std::snprintf(sub, sizeof sub, tr("%d floats"), runs * HW);
  gutter_label(sa.origin.y - 3 * sc, tr("x's buffer"), sub, reading_a);
  std::snprintf(sub, sizeof sub, copies ? tr("new: %d B") : tr("is x's: %d B"),
                (int)m.steps[3].bytes);
  gutter_label(sb.origin.y - 3 * sc, tr("y's buffer"), sub, !reading_a);
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
      const ImDrawFlags f = HW == 1       ? 0
                            : e == 0      ? ImDrawFlags_RoundCornersLeft
                            : e == HW - 1 ? ImDrawFlags_RoundCornersRight
                                          : ImDrawFlags_RoundCornersNone;
      dl->AddRectFilled(a, b, with_alpha(group_color(group_of(c, v), c.g, v % Cg, Cg), alpha),
                        round, f);
    }
  };
  // How far the copy of output run j has got during 2 -> 3: contiguous() writes y in order.
  auto copy_progress = [&](int run) {
    if (!copies) return 0.f;
    if (tt <= 2.f) return 0.f;
    if (tt >= 3.f) return 1.f;
    const float delay = 0.6f * float(run) / float(runs);
    return ease((lin - delay) / 0.4f);
  };
  for (int r = 0; r < runs; ++r) {
    draw_run(sa, r, buf_a, reading_a ? 1.f : 0.7f);
    const float p = copy_progress(r);
    if (p >= 1.f)
      draw_run(sb, r, buf_b, 1.f);
    else
      dl->AddRect(sb.run_rect(r).a, sb.run_rect(r).b, k.dim, 3 * sc);
  }
  if (one_row)  // each buffer's offsets under it: where each run of H*W floats starts
    for (const Strip* st : {&sa, &sb})
      for (int r = 0; r < runs; ++r) {
        const Rect rr = st->run_rect(r);
        const std::string t = std::to_string(r * HW);
        if (small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, t.c_str()).x < rr.w() - 2)
          dl->AddText(small, small->FontSize * 0.9f, ImVec2(rr.a.x + 1, rr.b.y + 1), k.dim,
                      t.c_str());
      }

  // ---- the read path of step 2 -------------------------------------------------------
  // The transposed view t reads x's buffer in the order of its strides: read k takes the
  // run read_runs[k]. Hops join the reads in order; badges number them. At step 3 the
  // same numbers sit on y's buffer in order 0, 1, 2, ...: contiguous() wrote the path down.
  const float hops_a = ramp(tt, 1.4f, 2.f) * (1.f - ramp(tt, 2.1f, 2.7f));
  const float x_num_a = ramp(tt, 1.4f, 2.f) * (1.f - ramp(tt, 3.3f, 3.9f));
  const float y_num_a = copies ? ramp(tt, 2.6f, 3.f) * (1.f - ramp(tt, 3.3f, 3.9f)) : 0.f;
  const float badge_r = std::min(8 * sc, sa.run_rect(0).w() * 0.5f - 1);
  const bool badges = one_row && badge_r >= 6 * sc;
  auto top_of = [&](const Strip& st, int r) {
    const Rect rr = st.run_rect(r);
    return ImVec2(rr.center().x, rr.a.y - (badges ? 2 * badge_r + 1 * sc : 2 * sc));
  };
  auto bottom_of = [&](const Strip& st, int r) {
    const Rect rr = st.run_rect(r);
    return ImVec2(rr.center().x, rr.b.y + lab + 1 * sc);
  };
  if (hops_a > 0.f && !one_row) {  // too many runs for hops: the order, in words
    std::string order = tr("t reads the channel runs in this order:");
    for (int i = 0; i < runs && order.size() < 400; ++i) {
      order += ' ';  // not " " + std::string: GCC 12's -Wrestrict false positive
      order += std::to_string(m.read_runs[i]);
    }
    dl->AddText(small, small->FontSize, ImVec2(sa.origin.x, mem_area.a.y + 4 * sc),
                with_alpha(k.text, hops_a), order.c_str(), nullptr, mem_area.w() - 8 * sc);
  }
  if (hops_a > 0.f && runs > 1 && one_row) {
    std::vector<std::array<ImVec2, 4>> arcs;
    for (int i = 0; i + 1 < runs; ++i) {
      const int ra = m.read_runs[i], rb = m.read_runs[i + 1];
      // Forward hops arc above the buffer, backward hops below it.
      const bool forward = rb > ra;
      const ImVec2 a = forward ? top_of(sa, ra) : bottom_of(sa, ra);
      const ImVec2 b = forward ? top_of(sa, rb) : bottom_of(sa, rb);
      const float room =
          forward ? hop_h - (badges ? 2 * badge_r + 4 * sc : 4 * sc) : between * 0.75f;
      const float lift =
          std::min(room, 8 * sc + std::fabs(b.x - a.x) * 0.3f) * (forward ? -1.f : 1.f);
      arcs.push_back({a, ImVec2(a.x, a.y + lift), ImVec2(b.x, b.y + lift), b});
    }
    const ImU32 line = with_alpha(k.text, 0.8f * hops_a);
    const bool roomy = sa.run_rect(0).w() >= 14 * sc;  // arrowheads only where they fit
    for (const auto& q : arcs) {
      dl->AddBezierCubic(q[0], q[1], q[2], q[3], with_alpha(k.bg, 0.7f * hops_a),
                         (roomy ? 3.4f : 2.f) * sc);
      dl->AddBezierCubic(q[0], q[1], q[2], q[3], line, (roomy ? 1.5f : 0.8f) * sc);
      if (!roomy) continue;
      // an arrowhead where the hop lands
      const ImVec2 tip_p = q[3], from = bezier(q[0], q[1], q[2], q[3], 0.85f);
      const float dx = tip_p.x - from.x, dy = tip_p.y - from.y,
                  len = std::max(1e-3f, std::hypot(dx, dy));
      const ImVec2 u(dx / len, dy / len), v(-u.y, u.x);
      const float ah = 6 * sc;
      dl->AddTriangleFilled(
          tip_p, ImVec2(tip_p.x - u.x * ah + v.x * ah * 0.5f, tip_p.y - u.y * ah + v.y * ah * 0.5f),
          ImVec2(tip_p.x - u.x * ah - v.x * ah * 0.5f, tip_p.y - u.y * ah - v.y * ah * 0.5f), line);
    }
    // A cursor walks the path, one hop per 0.4 s.
    if (!arcs.empty() && hops_a > 0.5f) {
      const float ph = std::fmod(float(ImGui::GetTime()) * 2.5f, float(arcs.size()));
      const auto& q = arcs[std::min((size_t)ph, arcs.size() - 1)];
      const ImVec2 cp = bezier(q[0], q[1], q[2], q[3], ph - std::floor(ph));
      dl->AddCircleFilled(cp, 4.5f * sc, with_alpha(k.accent, hops_a), 12);
      dl->AddCircle(cp, 4.5f * sc, with_alpha(k.text, hops_a), 12, 1.2f * sc);
    }
  }
  if (badges) {
    for (int i = 0; i < runs && x_num_a > 0.f; ++i) {
      const Rect rr = sa.run_rect(m.read_runs[i]);
      read_badge(dl, small, ImVec2(rr.center().x, rr.a.y - badge_r - 1 * sc), i, badge_r, x_num_a);
    }
    for (int i = 0; i < runs && y_num_a > 0.f; ++i) {
      const Rect rr = sb.run_rect(i);
      read_badge(dl, small, ImVec2(rr.center().x, rr.a.y - badge_r - 1 * sc), i, badge_r, y_num_a);
    }
  }

  // ---- the copy: each channel run travels from slot c of x's buffer to slot j of y's ----
  for (int n = 0; n < N; ++n)
    for (int ch = 0; ch < C; ++ch) {
      const int src = n * C + channel_slot(c, 2, ch), dst = n * C + channel_slot(c, 3, ch);
      const Rect ra = sa.run_rect(src), rb = sb.run_rect(dst);
      const bool is_sel = ch == sel && n == sel_n;
      if (copies && tt > 2.f) {  // the permutation, as threads from x's slots to y's
        const float a = std::min(1.f, (tt - 2.f) * 2.f) * (sel >= 0 && !is_sel ? 0.35f : 0.9f);
        const ImVec2 from(ra.center().x, ra.b.y + lab + 1.f),
            to(rb.center().x, rb.a.y - (y_num_a > 0.f && badges ? 2 * badge_r + 1 * sc : 1.f));
        const ImVec2 c1(from.x, from.y + between * 0.6f), c2(to.x, to.y - between * 0.6f);
        // a halo in the background colour keeps the thread readable on either theme
        dl->AddBezierCubic(from, c1, c2, to, with_alpha(k.bg, 0.8f * a),
                           (is_sel ? 5.f : 3.6f) * sc);
        dl->AddBezierCubic(from, c1, c2, to, with_alpha(group_color(group_of(c, ch), c.g), a),
                           (is_sel ? 2.8f : 1.8f) * sc);
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
          dl->AddRect(ImVec2(ra.a.x - 2 * sc, ra.a.y - 2 * sc),
                      ImVec2(ra.b.x + 2 * sc, ra.b.y + 2 * sc), with_alpha(k.text, 0.45f), 4 * sc,
                      0, 1.5f * sc);
        dl->AddRect(ImVec2(rr.a.x - 2 * sc, rr.a.y - 2 * sc),
                    ImVec2(rr.b.x + 2 * sc, rr.b.y + 2 * sc), k.text, 4 * sc, 0, 2 * sc);
        if (bl.f < 0.02f || bl.f > 0.98f)  // at rest: tie the tile to its floats
          dl->AddLine(ImVec2(sel_token.center().x, sel_token.b.y + 4 * sc),
                      ImVec2(rr.center().x, rr.a.y - 3 * sc), with_alpha(k.text, 0.5f), 1.2f * sc);
      }
      for (int which = 0; which < 2 && hovered && hit_c < 0; ++which) {
        const Rect rr = which == 0 ? ra : rb;
        if (!rr.contains(mouse) || (which == 1 && copy_progress(dst) < 1.f)) continue;
        hit_c = ch, hit_n = n;
        const int slot = which == 0 ? src - n * C : dst - n * C, off = (n * C + slot) * HW;
        int read_k = 0;  // which read of the transposed view takes this run
        while (read_k < runs && m.read_runs[read_k] != src) ++read_k;
        char t[320];
        std::snprintf(t, sizeof t,
                      tr("%s buffer, floats %d..%d: channel %d of sample %d\noffset = (n\xC2\xB7"
                         "C + "
                         "slot)\xC2\xB7H\xC2\xB7W = (%d\xC2\xB7%d + %d)\xC2\xB7%d = %d\n"
                         "the transposed view reads it %s (read %d of %d)"),
                      which == 0 ? "x" : "y", off, off + HW - 1, ch, n, n, C, slot, HW, off,
                      which == 0 ? tr("in place") : tr("from x's buffer"), read_k, runs);
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
