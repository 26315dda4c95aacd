// viz/train/panel_train_views.cpp - what the Train panel shows of one set of weights: the
// first test images with their true and predicted labels (mistakes marked), the confusion
// matrix on the evaluated test images with class names, and the feature maps of one image
// (the stem, each unit before and after its channel shuffle) as a grid of small images
// outlined in the Shuffle panel's group colours. Not here: computing them (train_state.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/i18n.h"
#include "viz/train/panel_train.h"

namespace sl::viz {

void draw_cifar_image(const uint8_t* image, float size) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float px = size / (float)kCifarSide;
  const int plane = (int)(kCifarSide * kCifarSide);
  for (int y = 0; y < kCifarSide; ++y)
    for (int x = 0; x < kCifarSide; ++x) {
      const int i = y * (int)kCifarSide + x;
      const ImU32 c = IM_COL32(image[i], image[plane + i], image[2 * plane + i], 255);
      dl->AddRectFilled(ImVec2(p.x + x * px, p.y + y * px),
                        ImVec2(p.x + (x + 1) * px, p.y + (y + 1) * px), c);
    }
  ImGui::Dummy(ImVec2(size, size));
}

static bool inspection_ready(const TrainPanelState& s) {
  const Inspection& in = s.shown.inspection;
  if (s.shown.inspecting) {
    ImGui::TextDisabled("%s", tr("Evaluating the weights on the test set..."));
    return false;
  }
  if (!in.error.empty()) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", in.error.c_str());
    ImGui::PopTextWrapPos();
    return false;
  }
  if (in.n == 0) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("%s", tr("Predictions appear after the first epoch of a run, or when a "
                                 "checkpoint is opened."));
    ImGui::PopTextWrapPos();
    return false;
  }
  return true;
}

static void inspection_caption(const Inspection& in) {
  char buf[256];
  if (in.epoch > 0)
    std::snprintf(buf, sizeof buf, "%s, %s %lld: %s %.2f%% %s %lld %s", in.model.c_str(),
                  tr("epoch"), (long long)in.epoch, tr("test accuracy"), 100 * in.acc, tr("on"),
                  (long long)in.n, tr("images"));
  else
    std::snprintf(buf, sizeof buf, "%s: %s %.2f%% %s %lld %s", in.model.c_str(),
                  tr("test accuracy"), 100 * in.acc, tr("on"), (long long)in.n, tr("images"));
  ImGui::TextUnformatted(buf);
  help_marker(tr("accuracy = sum of the confusion matrix's diagonal / images evaluated = the "
                 "share of test images whose largest logit is their true class (nn/train "
                 "evaluate, the same number as `shufflelab eval`)."));
}

void draw_train_predictions(AppState& app) {
  TrainPanelState& s = app.train;
  if (!inspection_ready(s)) return;
  const Inspection& in = s.shown.inspection;
  const float sc = app.scale;
  inspection_caption(in);
  const int n = (int)(in.images.size() / kCifarPixels);
  ImGui::PushFont(fonts().small);
  const float label_h = ImGui::GetFontSize() * 2 + 6 * sc;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float cell_w = std::max(84 * sc, ImGui::CalcTextSize("automobile").x + 10 * sc);
  const int cols = std::max(1, (int)(avail / (cell_w + 6 * sc)));
  const float img = std::min(cell_w - 8 * sc, 64 * sc);
  int mistakes = 0;
  for (int i = 0; i < n; ++i) {
    const int t = in.labels[(size_t)i], p = in.preds[(size_t)i];
    const bool ok = t == p;
    mistakes += !ok;
    if (i % cols) ImGui::SameLine(0, 6 * sc);
    ImGui::BeginGroup();
    const ImVec2 q = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(q.x + (cell_w - img) * 0.5f, q.y + 4 * sc));
    draw_cifar_image(in.images.data() + (size_t)i * kCifarPixels, img);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 a(q.x, q.y), b(q.x + cell_w, q.y + img + 8 * sc + label_h);
    dl->AddRect(a, b, ok ? with_alpha(ink().good, 0.8f) : ink().warn, 4 * sc, 0,
                ok ? 1.f : 2.5f * sc);
    ImGui::SetCursorScreenPos(ImVec2(q.x + 4 * sc, q.y + img + 6 * sc));
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().dim), "%s", kCifarNames[t]);
    ImGui::SetCursorScreenPos(ImVec2(q.x + 4 * sc, ImGui::GetCursorScreenPos().y - 2 * sc));
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ok ? ink().good : ink().warn), "%s %s",
                       ok ? "" : "x", kCifarNames[p]);
    ImGui::SetCursorScreenPos(ImVec2(q.x, b.y));
    ImGui::Dummy(ImVec2(cell_w, 2 * sc));
    ImGui::EndGroup();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s %d: %s %s, %s %s", tr("test image"), i, tr("true"), kCifarNames[t],
                        tr("predicted"), kCifarNames[p]);
  }
  ImGui::PopFont();
  ImGui::TextDisabled("%s %d / %d %s", tr("mistakes (red, x):"), mistakes, n,
                      tr("of the first test images; top: true class, bottom: prediction"));
  help_marker(tr("prediction = the class with the largest logit (arg-max of the model's 10 "
                 "outputs, the first on ties); a mistake is prediction != true class."));
}

void draw_train_confusion(AppState& app) {
  TrainPanelState& s = app.train;
  if (!inspection_ready(s)) return;
  const Inspection& in = s.shown.inspection;
  const float sc = app.scale;
  inspection_caption(in);
  ImGui::TextDisabled("%s", tr("rows: true class, columns: predicted class"));
  help_marker(tr("cell (t, p) = number of test images of class t that the model predicted as p; "
                 "each row sums to the images of that class; the diagonal holds the correct ones. "
                 "Colour: cell / row sum."));
  ImGui::PushFont(fonts().small);
  const float name_w = ImGui::CalcTextSize("automobile").x + 8 * sc;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // Big enough for a 4-digit count and a 4-letter column name, even where the panel leaves
  // little height below the plots (the tab then scrolls).
  const float min_cell = ImGui::CalcTextSize("0000").x + 6 * sc;
  const float cell = std::clamp(std::min((avail.x - name_w - 8 * sc) / kCifarClasses,
                                         (avail.y - name_w - 8 * sc) / kCifarClasses),
                                min_cell, 60 * sc);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImVec2 g(p0.x + name_w, p0.y + ImGui::GetFontSize() + 6 * sc);
  for (int p = 0; p < kCifarClasses; ++p) {  // column names: short, above
    char shortname[5] = {0};
    std::snprintf(shortname, sizeof shortname, "%.4s", kCifarNames[p]);
    const float tw = ImGui::CalcTextSize(shortname).x;
    dl->AddText(ImVec2(g.x + p * cell + (cell - tw) * 0.5f, p0.y), ink().dim, shortname);
  }
  const float fh = ImGui::GetFontSize();
  int hover_t = -1, hover_p = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (int t = 0; t < kCifarClasses; ++t) {
    int64_t row = 0;
    for (int p = 0; p < kCifarClasses; ++p) row += in.confusion[(size_t)t][(size_t)p];
    dl->AddText(ImVec2(p0.x, g.y + t * cell + (cell - fh) * 0.5f), ink().dim, kCifarNames[t]);
    for (int p = 0; p < kCifarClasses; ++p) {
      const int64_t v = in.confusion[(size_t)t][(size_t)p];
      const float share = row ? (float)v / (float)row : 0.f;
      const ImU32 base = t == p ? ink().good : ink().warn;
      const ImU32 fill = mix(ink().card, base, std::sqrt(share));
      const ImVec2 a(g.x + p * cell, g.y + t * cell), b(a.x + cell - 1, a.y + cell - 1);
      dl->AddRectFilled(a, b, fill);
      char num[16];
      std::snprintf(num, sizeof num, "%lld", (long long)v);
      const ImVec2 ts = ImGui::CalcTextSize(num);
      if (ts.x < cell - 2)
        dl->AddText(ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                    text_color_on(fill), num);
      if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y)
        hover_t = t, hover_p = p;
    }
  }
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(name_w + cell * kCifarClasses, g.y - p0.y + cell * kCifarClasses));
  if (hover_t >= 0 && ImGui::IsWindowHovered())
    ImGui::SetTooltip("%s %s, %s %s: %lld", tr("true"), kCifarNames[hover_t], tr("predicted"),
                      kCifarNames[hover_p],
                      (long long)in.confusion[(size_t)hover_t][(size_t)hover_p]);
}

void draw_train_features(AppState& app) {
  TrainPanelState& s = app.train;
  if (!inspection_ready(s)) return;
  s.refresh_feature_maps();
  const float sc = app.scale;
  if (!s.fm_error.empty()) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", s.fm_error.c_str());
    ImGui::PopTextWrapPos();
    return;
  }
  if (s.fm.empty()) return;
  const Inspection& in = s.shown.inspection;
  const int n = (int)(in.images.size() / kCifarPixels);
  // Controls: the image (with a thumbnail) and the layer.
  draw_cifar_image(in.images.data() + (size_t)s.fm_image * kCifarPixels, 40 * sc);
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::SetNextItemWidth(160 * sc);
  if (ImGui::SliderInt(trid("test image").c_str(), &s.fm_image, 0, n - 1)) s.refresh_feature_maps();
  ImGui::SameLine();
  ImGui::TextDisabled("%s: %s", tr("true"), kCifarNames[in.labels[(size_t)s.fm_image]]);
  ImGui::SetNextItemWidth(220 * sc);
  const FeatureMap& cur = s.fm[(size_t)std::clamp(s.fm_layer, 0, (int)s.fm.size() - 1)];
  if (ImGui::BeginCombo(trid("layer").c_str(), cur.name.c_str())) {
    for (int i = 0; i < (int)s.fm.size(); ++i)
      if (ImGui::Selectable(s.fm[(size_t)i].name.c_str(), i == s.fm_layer)) s.fm_layer = i;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) s.fm_layer = std::max(0, s.fm_layer - 1);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Right))
    s.fm_layer = std::min((int)s.fm.size() - 1, s.fm_layer + 1);
  ImGui::EndGroup();
  const FeatureMap& f = s.fm[(size_t)s.fm_layer];
  ImGui::Text("%s: %lld %s, %lldx%lld", f.name.c_str(), (long long)f.C, tr("channels"),
              (long long)f.H, (long long)f.W);
  help_marker(tr("Each small image is one channel of this layer's output for the chosen test "
                 "image, scaled from its own minimum (dark) to maximum (light). Around a channel "
                 "shuffle the outline colour is the channel's branch (left: the split's "
                 "untouched half or branch 1, right: branch 2), shaded by its place in the "
                 "branch, as in the Shuffle panel: after the shuffle, channel j holds channel "
                 "(j % 2) * C/2 + j / 2 of before."));
  // The grid of channels
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = 3 * sc;
  float tile = 8 * sc;
  for (float t = 96 * sc; t >= 8 * sc; t -= 2 * sc) {  // the largest tile that fits
    const int cols = std::max(1, (int)((avail.x + gap) / (t + gap)));
    const int rows = (int)((f.C + cols - 1) / cols);
    if (rows * (t + gap) <= avail.y || t <= 8 * sc) {
      tile = t;
      break;
    }
  }
  const int cols = std::max(1, (int)((avail.x + gap) / (tile + gap)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float border = f.groups > 1 ? 3 * sc : sc;  // the group colour's frame
  const float px = (tile - 2 * border) / (float)std::max(f.H, f.W);
  const ImU32 lo = ink().bg, hi = ink().text;
  int hovered = -1;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (int64_t c = 0; c < f.C; ++c) {
    const int64_t col = c % cols, row = c / cols;  // the channel's place in the grid
    const ImVec2 a(p0.x + (float)col * (tile + gap), p0.y + (float)row * (tile + gap));
    const float* v = f.values.data() + c * f.H * f.W;
    const auto [mn, mx] = std::minmax_element(v, v + f.H * f.W);
    const float range = *mx - *mn > 1e-12f ? *mx - *mn : 1.f;
    const ImU32 outline = f.groups > 1 ? group_color(f.group[(size_t)c], f.groups,
                                                     f.inner[(size_t)c], (int)(f.C / f.groups))
                                       : ink().border;
    dl->AddRectFilled(a, ImVec2(a.x + tile, a.y + tile), outline, 2 * sc);
    for (int64_t y = 0; y < f.H; ++y)
      for (int64_t x = 0; x < f.W; ++x) {
        const float t = (v[y * f.W + x] - *mn) / range;
        const ImVec2 q(a.x + border + (float)x * px, a.y + border + (float)y * px);
        dl->AddRectFilled(q, ImVec2(q.x + px, q.y + px), mix(lo, hi, t));
      }
    if (mouse.x >= a.x && mouse.x < a.x + tile && mouse.y >= a.y && mouse.y < a.y + tile)
      hovered = (int)c;
  }
  const int rows = (int)((f.C + cols - 1) / cols);
  ImGui::Dummy(ImVec2((float)cols * (tile + gap), (float)rows * (tile + gap)));
  if (hovered >= 0 && ImGui::IsWindowHovered()) {
    if (f.groups > 1)
      ImGui::SetTooltip("%s %d: %s %d, %s %d", tr("channel"), hovered, tr("branch"),
                        f.group[(size_t)hovered] + 1, tr("place in branch"),
                        f.inner[(size_t)hovered]);
    else
      ImGui::SetTooltip("%s %d", tr("channel"), hovered);
  }
}

}  // namespace sl::viz
