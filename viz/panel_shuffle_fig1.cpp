// viz/panel_shuffle_fig1.cpp - beside the animator: ShuffleNet V1's Fig. 1 (Zhang et
// al. 2017) drawn for the panel's C and G: two stacked group convolutions as
// block-diagonal input -> output connectivity, without and with a channel shuffle
// between them; group colours mix only with the shuffle. And the inverse: shuffling with
// C/G groups undoes a shuffle with G. Orders come from the real tensors (ShuffleModel).
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "viz/app_state.h"
#include "viz/i18n.h"

namespace sl::viz {

namespace {

// One node row: C small tiles across [x0, x1] at height y.
struct Row {
  float x0, x1, y, h;
  int C;
  float cx(int i) const { return x0 + (x1 - x0) * (i + 0.5f) / C; }
  float w() const { return (x1 - x0) / C; }
  ImVec2 a(int i) const { return ImVec2(cx(i) - w() * 0.42f, y); }
  ImVec2 b(int i) const { return ImVec2(cx(i) + w() * 0.42f, y + h); }
  ImVec2 top(int i) const { return ImVec2(cx(i), y); }
  ImVec2 bottom(int i) const { return ImVec2(cx(i), y + h); }
};

void tile(ImDrawList* dl, const Row& r, int i, ImU32 col) {
  dl->AddRectFilled(r.a(i), r.b(i), col, std::min(3.f, r.w() * 0.25f));
}

// A tile split into vertical stripes, one per input group the channel depends on.
void mixed_tile(ImDrawList* dl, const Row& r, int i, const std::vector<int>& groups, int G) {
  const ImVec2 a = r.a(i), b = r.b(i);
  const float sw = (b.x - a.x) / float(groups.size());
  for (size_t k = 0; k < groups.size(); ++k)
    dl->AddRectFilled(ImVec2(a.x + sw * k, a.y), ImVec2(a.x + sw * (k + 1), b.y),
                      group_color(groups[k], G));
}

// Block-diagonal GConv links: output o of group q reads every input of group q.
void gconv_links(ImDrawList* dl, const Row& in, const Row& out, const ShuffleConfig& c,
                 const std::vector<int>& in_group, float alpha) {
  const int Cg = c.C / c.g;
  const float thick = c.C <= 16 ? 1.2f : 0.8f;
  for (int o = 0; o < c.C; ++o)
    for (int i = (o / Cg) * Cg; i < (o / Cg + 1) * Cg; ++i)
      dl->AddLine(in.bottom(i), out.top(o), with_alpha(group_color(in_group[i], c.g), alpha),
                  thick);
}

void permutation_links(ImDrawList* dl, const Row& in, const Row& out, const std::vector<int>& src,
                       const std::vector<int>& group, int G, float alpha) {
  // out[j] takes in[src[j]]
  for (int j = 0; j < (int)src.size(); ++j) {
    const ImVec2 p = in.bottom(src[j]), q = out.top(j);
    const float mid = (q.y - p.y) * 0.5f;
    dl->AddBezierCubic(p, ImVec2(p.x, p.y + mid), ImVec2(q.x, q.y - mid), q,
                       with_alpha(group_color(group[src[j]], G), alpha), 1.4f);
  }
}

// The full heading when it fits beside its (?) marker, else the short one.
void heading_that_fits(const char* full, const char* brief) {
  ImGui::PushFont(fonts().bold);
  const float room = ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(" (?)").x - 8;
  const bool fits = ImGui::CalcTextSize(full).x <= room;
  ImGui::PopFont();
  heading(fits ? full : brief);
}

// Text wrapped to `width`; returns its height.
float wrapped(ImDrawList* dl, ImFont* font, ImVec2 p, float width, ImU32 col, const char* text) {
  dl->AddText(font, font->FontSize, p, col, text, nullptr, width);
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, width, text).y;
}

}  // namespace

// [SECTION] Fig. 1

void draw_shuffle_fig1(AppState& app) {
  const ShuffleState& s = app.shuffle;
  const ShuffleConfig& c = s.cfg;
  const float sc = app.scale;
  heading_that_fits(tr("ShuffleNet V1, Fig. 1: two stacked group convolutions"),
                    "ShuffleNet V1, Fig. 1");
  help_marker(
      tr("GConv(G) splits the C channels into G groups and convolves each group on its own: "
         "output channel o reads only the C/G inputs of its group, so the connectivity is "
         "block-diagonal. Stacked without a shuffle, a group never sees the others (a). "
         "With a channel shuffle in between, each group of GConv2 takes channels from "
         "min(G, C/G) groups of GConv1 (c)."));
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = std::max(120.f, ImGui::GetContentRegionAvail().y - 2.f);
  ImGui::Dummy(ImVec2(w, h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  ImFont* small = fonts().small;

  const int C = c.C, Cg = C / c.g;
  std::vector<int> in_group(C), identity(C);
  for (int i = 0; i < C; ++i) in_group[i] = group_of(c, i), identity[i] = i;
  // Rows: input, GConv1 out, (shuffled), GConv2 out; bands between them.
  const float label_w = 62 * sc, top = small->FontSize + 8 * sc;
  const float gap = 26 * sc, dw = (w - label_w - gap) * 0.5f;
  // Captions wrap to the diagram's width: room for as many lines as the longest needs.
  const float cap_h = 8 * sc + 2 * small
                                       ->CalcTextSizeA(small->FontSize, FLT_MAX, dw,
                                                       tr("outputs see %zu..%zu of %d groups"))
                                       .y;
  const float tile_h = std::clamp(h * 0.055f, 6 * sc, 12 * sc);
  const float band = (h - top - cap_h - 4 * tile_h) / 3.f;
  const float ys[4] = {p0.y + top, p0.y + top + tile_h + band, p0.y + top + 2 * (tile_h + band),
                       p0.y + top + 3 * (tile_h + band)};
  static const char* row_names[4] = {"input", "GConv1", "shuffle", "GConv2"};
  for (int r = 0; r < 4; ++r)
    dl->AddText(small, small->FontSize,
                ImVec2(p0.x, ys[r] + tile_h * 0.5f - small->FontSize * 0.5f), k.dim,
                tr(row_names[r]));

  for (int d = 0; d < 2; ++d) {
    const bool shuffle = d == 1;
    const float x0 = p0.x + label_w + d * (dw + gap), x1 = x0 + dw;
    Row rows[4];
    for (int r = 0; r < 4; ++r) rows[r] = Row{x0, x1, ys[r], tile_h, C};
    const std::vector<int>& perm = shuffle ? s.model.order : identity;
    const char* title = shuffle ? tr("(c) with channel shuffle") : tr("(a) no shuffle");
    ImFont* bold = fonts().bold;
    if (bold->CalcTextSizeA(bold->FontSize, FLT_MAX, 0, title).x > dw)
      title = shuffle ? tr("(c) shuffled") : tr("(a) plain");
    dl->AddText(bold, bold->FontSize, ImVec2(x0, p0.y), shuffle ? k.text : k.dim, title);
    gconv_links(dl, rows[0], rows[1], c, in_group, 0.45f);
    permutation_links(dl, rows[1], rows[2], perm, in_group, c.g, shuffle ? 0.8f : 0.35f);
    std::vector<int> mid_group(C);
    for (int j = 0; j < C; ++j) mid_group[j] = in_group[perm[j]];
    gconv_links(dl, rows[2], rows[3], c, mid_group, 0.45f);
    const std::vector<std::vector<int>> reach = fig1_reach(c, s.model.order, shuffle);
    for (int i = 0; i < C; ++i) {
      tile(dl, rows[0], i, group_color(in_group[i], c.g));
      tile(dl, rows[1], i, group_color(in_group[i], c.g));
      tile(dl, rows[2], i, group_color(mid_group[i], c.g));
      mixed_tile(dl, rows[3], i, reach[i], c.g);
    }
    size_t lo = C, hi = 0;
    for (auto& r : reach) lo = std::min(lo, r.size()), hi = std::max(hi, r.size());
    char cap[120];
    if (lo == hi)
      std::snprintf(cap, sizeof cap, tr("each output sees %zu of %d groups"), lo, c.g);
    else
      std::snprintf(cap, sizeof cap, tr("outputs see %zu..%zu of %d groups"), lo, hi, c.g);
    const float cy = ys[3] + tile_h + 6 * sc;
    const float h1 =
        wrapped(dl, small, ImVec2(x0, cy), dw, shuffle && hi > 1 ? k.good : k.dim, cap);
    if (shuffle && Cg < c.g) {
      std::snprintf(cap, sizeof cap, tr("C/G < G: a group meets only %d"), Cg);
      wrapped(dl, small, ImVec2(x0, cy + h1), dw, k.warn, cap);
    } else if (!shuffle && c.g > 1) {
      wrapped(dl, small, ImVec2(x0, cy + h1), dw, k.dim, tr("groups never mix"));
    }
  }
}

// [SECTION] the inverse

void draw_shuffle_inverse(AppState& app) {
  const ShuffleState& s = app.shuffle;
  const ShuffleConfig& c = s.cfg;
  const float sc = app.scale;
  heading_that_fits(tr("Inverse: shuffle(G), then shuffle(C/G)"), tr("Inverse"));
  help_marker(
      tr("Channel shuffle with G groups reads the channels as a G x C/G grid and transposes "
         "it: output j = i_inner\xC2\xB7G + i_group takes input i = i_group\xC2\xB7"
         "C/G + "
         "i_inner. Shuffling that with C/G groups transposes the C/G x G grid back, so "
         "shuffle(shuffle(x, G), C/G) = x. Rows here come from sl::channel_shuffle."));
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = std::max(120.f, ImGui::GetContentRegionAvail().y - 2.f);
  ImGui::Dummy(ImVec2(w, h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  ImFont* small = fonts().small;
  const int C = c.C, Cg = C / c.g;
  const float label_w = 78 * sc;
  const float cap_h =
      10 * sc +
      small
          ->CalcTextSizeA(small->FontSize, FLT_MAX, w - label_w,
                          tr("\xE2\x9C\x93 back to 0, 1, 2, ...: the two shuffles cancel"))
          .y;
  const float tile_h = std::clamp(h * 0.1f, 8 * sc, 20 * sc);
  const float band = (h - cap_h - 3 * tile_h - 6 * sc) / 2.f;
  Row rows[3];
  for (int r = 0; r < 3; ++r)
    rows[r] =
        Row{p0.x + label_w, p0.x + w - 4 * sc, p0.y + 6 * sc + r * (tile_h + band), tile_h, C};
  char names[3][32];
  std::snprintf(names[0], 32, "x");
  std::snprintf(names[1], 32, "shuffle(x, %d)", c.g);
  std::snprintf(names[2], 32, "shuffle(\xC2\xB7, %d)", Cg);
  const std::vector<int>* vals[3] = {nullptr, &s.model.order, &s.model.inverse};
  std::vector<int> pos_in_prev(C), group(C), prev(C);
  for (int i = 0; i < C; ++i) prev[i] = i, group[i] = group_of(c, i);
  for (int r = 0; r < 3; ++r) {
    dl->AddText(small, small->FontSize,
                ImVec2(p0.x, rows[r].y + tile_h * 0.5f - small->FontSize * 0.5f), k.dim, names[r]);
    const std::vector<int> cur = vals[r] ? *vals[r] : prev;
    if (r > 0) {  // link each channel to where it was in the row above
      for (int i = 0; i < C; ++i) pos_in_prev[prev[i]] = i;
      std::vector<int> src(C);
      for (int j = 0; j < C; ++j) src[j] = pos_in_prev[cur[j]];
      std::vector<int> prev_group(C);
      for (int i = 0; i < C; ++i) prev_group[i] = group[prev[i]];
      permutation_links(dl, rows[r - 1], rows[r], src, prev_group, c.g, 0.75f);
    }
    // Numbers on every tile or on none: the widest one, C - 1, must fit.
    const ImVec2 widest =
        small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, std::to_string(C - 1).c_str());
    const bool numbers = widest.x < rows[r].w() * 0.8f && widest.y <= tile_h + 1;
    for (int j = 0; j < C; ++j) {
      const int ch = cur[j];
      const ImU32 col = group_color(group[ch], c.g, ch % Cg, Cg);
      tile(dl, rows[r], j, col);
      const std::string t = std::to_string(ch);
      const ImVec2 ts = small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, t.c_str());
      if (numbers)
        dl->AddText(small, small->FontSize,
                    ImVec2(rows[r].cx(j) - ts.x * 0.5f, rows[r].y + (tile_h - ts.y) * 0.5f),
                    text_color_on(col), t.c_str());
    }
    prev = cur;
  }
  bool identity = true;
  for (int j = 0; j < C; ++j) identity = identity && s.model.inverse[j] == j;
  wrapped(dl, small, ImVec2(p0.x + label_w, p0.y + h - cap_h + 4 * sc), w - label_w,
          identity ? k.good : k.warn,
          identity ? tr("\xE2\x9C\x93 back to 0, 1, 2, ...: the two shuffles cancel")
                   : tr("\xE2\x9C\x97 not the identity"));
}

}  // namespace sl::viz
