// viz/train/panel_train_plots.cpp - the Train panel's live curves: loss per step (raw and
// smoothed), train and test accuracy per epoch with the 10% chance line, the learning rate,
// and images/s with the ETA. A run trained here has a point per step; a CLI run folder
// (metrics.jsonl) a point per epoch, drawn the same way. draw_plot is a small ImDrawList
// line plot with labelled axes. Not here: the data (train_state.h).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/i18n.h"
#include "viz/train/panel_train.h"

namespace sl::viz {

namespace {

// A "nice" tick step: 1, 2 or 5 times a power of ten, about `n` ticks over `range`.
double nice_step(double range, int n) {
  if (!(range > 0)) return 1;
  const double raw = range / n, p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

std::string tick_str(double v, bool percent) {
  char buf[32];
  if (percent)
    std::snprintf(buf, sizeof buf, "%.0f%%", 100 * v);
  else if (v != 0 && (std::abs(v) < 0.01 || std::abs(v) >= 1e5))
    std::snprintf(buf, sizeof buf, "%.0e", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string eta_str(double s) {
  char buf[32];
  const auto t = (long long)std::max(0.0, s);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, t / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  return buf;
}

PlotLine make_line(const char* label, ImU32 color, float thickness = 1.5f) {
  PlotLine l;
  l.label = label;
  l.color = color;
  l.thickness = thickness;
  return l;
}

}  // namespace

void draw_plot(const PlotSpec& spec, const std::vector<PlotLine>& lines, ImVec2 size, float sc) {
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(spec.title);
  ImGui::PopFont();
  help_marker(spec.formula);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  size.y = std::max(size.y - ImGui::GetFrameHeight(), 60 * sc);
  ImGui::InvisibleButton(spec.id, size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::PushFont(fonts().small);
  const float fh = ImGui::GetFontSize();
  const float left = 44 * sc, bottom = fh * 2 + 4 * sc, top = 4 * sc, right = 8 * sc;
  const ImVec2 a(p0.x + left, p0.y + top), b(p0.x + size.x - right, p0.y + size.y - bottom);
  dl->AddRect(a, b, ink().border);
  // Ranges
  double x0 = 0, x1 = std::max(spec.x_max, 1e-9), y0 = 1e300, y1 = -1e300;
  for (const PlotLine& l : lines)
    for (size_t i = 0; i < l.x.size(); ++i) {
      x1 = std::max(x1, l.x[i]);
      y0 = std::min(y0, l.y[i]);
      y1 = std::max(y1, l.y[i]);
    }
  x1 *= 1.03;  // the last point off the frame's edge
  if (spec.y_max > spec.y_min) y0 = spec.y_min, y1 = spec.y_max;
  if (y0 > y1) y0 = 0, y1 = 1;
  if (spec.hline >= 0) y0 = std::min(y0, spec.hline), y1 = std::max(y1, spec.hline);
  if (y1 - y0 < 1e-12) y1 = y0 + (y0 == 0 ? 1 : std::abs(y0) * 0.1);
  if (spec.y_max <= spec.y_min) {  // a margin, from 0 when the data are near it
    const double pad = (y1 - y0) * 0.08;
    y0 = y0 - pad < 0 && y0 >= 0 ? 0 : y0 - pad;
    y1 += pad;
  }
  auto X = [&](double x) { return a.x + float((x - x0) / (x1 - x0)) * (b.x - a.x); };
  auto Y = [&](double y) { return b.y - float((y - y0) / (y1 - y0)) * (b.y - a.y); };
  // Ticks and grid
  const double ys = nice_step(y1 - y0, 4);
  for (double v = std::ceil(y0 / ys) * ys; v <= y1 + 1e-12; v += ys) {
    dl->AddLine(ImVec2(a.x, Y(v)), ImVec2(b.x, Y(v)), ink().faint);
    const std::string t = tick_str(v, spec.percent);
    const float tw = ImGui::CalcTextSize(t.c_str()).x;
    dl->AddText(ImVec2(a.x - tw - 4 * sc, Y(v) - fh * 0.5f), ink().dim, t.c_str());
  }
  const double xs = std::max(1.0, nice_step(x1 - x0, 5));  // whole epochs
  for (double v = 0; v <= x1 + 1e-9; v += xs) {
    dl->AddLine(ImVec2(X(v), b.y), ImVec2(X(v), b.y + 3 * sc), ink().dim);
    const std::string t = tick_str(v, false);
    dl->AddText(ImVec2(X(v) - ImGui::CalcTextSize(t.c_str()).x * 0.5f, b.y + 2 * sc), ink().dim,
                t.c_str());
  }
  const float xw = ImGui::CalcTextSize(spec.x_label).x;
  dl->AddText(ImVec2((a.x + b.x - xw) * 0.5f, b.y + fh + 2 * sc), ink().dim, spec.x_label);
  dl->AddText(ImVec2(p0.x, p0.y + size.y - fh), ink().dim, spec.y_label);
  // Reference line (dashed)
  if (spec.hline >= 0) {
    const float y = Y(spec.hline);
    for (float x = a.x; x < b.x; x += 10 * sc)
      dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 5 * sc, b.x), y), ink().warn, 1.2f * sc);
    dl->AddText(ImVec2(b.x - ImGui::CalcTextSize(spec.hline_label).x - 4 * sc, y - fh - 1),
                ink().warn, spec.hline_label);
  }
  // Lines (points when a line has one)
  dl->PushClipRect(a, b, true);
  for (const PlotLine& l : lines) {
    std::vector<ImVec2> pts;
    pts.reserve(l.x.size());
    for (size_t i = 0; i < l.x.size(); ++i) pts.emplace_back(X(l.x[i]), Y(l.y[i]));
    if (pts.size() > 1) dl->AddPolyline(pts.data(), (int)pts.size(), l.color, 0, l.thickness * sc);
    if (pts.size() <= 40)
      for (const ImVec2& q : pts) dl->AddCircleFilled(q, 2.5f * sc, l.color);
  }
  dl->PopClipRect();
  // Legend, top right inside the frame
  float ly = a.y + 3 * sc;
  for (const PlotLine& l : lines) {
    if (l.label.empty()) continue;
    const float tw = ImGui::CalcTextSize(l.label.c_str()).x;
    const float lx = b.x - tw - 22 * sc;
    dl->AddLine(ImVec2(lx, ly + fh * 0.5f), ImVec2(lx + 14 * sc, ly + fh * 0.5f), l.color, 2 * sc);
    dl->AddText(ImVec2(lx + 18 * sc, ly), ink().text, l.label.c_str());
    ly += fh + 1;
  }
  ImGui::PopFont();
  // Hover: the nearest point of each line
  if (hovered && !lines.empty()) {
    const double mx = x0 + (ImGui::GetIO().MousePos.x - a.x) / (b.x - a.x) * (x1 - x0);
    std::string tip = str_cat(spec.x_label, " ", tick_str(mx, false));
    for (const PlotLine& l : lines) {
      if (l.x.empty()) continue;
      const size_t i = (size_t)(std::lower_bound(l.x.begin(), l.x.end(), mx) - l.x.begin());
      const size_t k = std::min(i, l.x.size() - 1);
      char buf[96];
      std::snprintf(buf, sizeof buf, "\n%s: %.4g%s",
                    l.label.empty() ? spec.y_label : l.label.c_str(),
                    spec.percent ? 100 * l.y[k] : l.y[k], spec.percent ? "%" : "");
      tip += buf;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
}

void draw_train_curves(AppState& app, ImVec2 size) {
  TrainPanelState& s = app.train;
  const float sc = app.scale;
  const bool opened = s.showing_opened;
  const std::vector<EpochMetrics>& ep = opened ? s.opened.epochs : s.shown.curves.epochs;
  const std::vector<StepPoint>& st = opened ? std::vector<StepPoint>{} : s.shown.curves.steps;
  const double epochs =
      opened ? (double)std::max<int64_t>((int64_t)ep.size(),
                                         s.opened.resumable ? s.opened.info.cfg.epochs : 0)
             : (double)s.shown.cfg.epochs;
  const Ink& k = ink();
  const ImU32 raw = with_alpha(k.dim, 0.55f), test_c = group_color(1, 2),
              train_c = group_color(0, 2);
  PlotLine loss_raw = make_line(tr("per step"), raw, 1.f);
  PlotLine loss_smooth = make_line(tr("smoothed"), k.accent, 2.f);
  PlotLine loss_epoch = make_line(tr("epoch mean"), train_c, 1.5f);
  PlotLine lr = make_line("", k.accent);
  PlotLine speed = make_line("", k.good);
  for (const StepPoint& p : st) {
    loss_raw.x.push_back(p.x), loss_raw.y.push_back(p.loss);
    loss_smooth.x.push_back(p.x), loss_smooth.y.push_back(p.smooth);
    lr.x.push_back(p.x), lr.y.push_back(p.lr);
    speed.x.push_back(p.x), speed.y.push_back(p.img_per_s);
  }
  PlotLine train_acc = make_line(tr("train (running)"), train_c);
  PlotLine test_acc = make_line(tr("test"), test_c, 2.f);
  for (const EpochMetrics& m : ep) {
    train_acc.x.push_back((double)m.epoch), train_acc.y.push_back(m.train_acc);
    test_acc.x.push_back((double)m.epoch), test_acc.y.push_back(m.test_acc);
    loss_epoch.x.push_back((double)m.epoch), loss_epoch.y.push_back(m.train_loss);
    if (st.empty()) {  // a CLI run: one point per epoch
      lr.x.push_back((double)m.epoch), lr.y.push_back(m.lr);
      speed.x.push_back((double)m.epoch), speed.y.push_back(m.img_per_s);
    }
  }
  std::vector<PlotLine> loss_lines;
  if (!st.empty()) loss_lines = {loss_raw, loss_smooth};
  loss_lines.push_back(loss_epoch);

  // ETA and speed for the title of the last plot
  std::string speed_title = tr("Speed");
  if (!opened && s.shown.curves.have_last) {
    const StepProgress& p = s.shown.curves.last;
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s: %.0f img/s, %s %s", tr("Speed"), p.img_per_s, tr("ETA"),
                  eta_str(p.eta_s).c_str());
    speed_title = buf;
  } else if (!ep.empty()) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s: %.0f img/s", tr("Speed"), ep.back().img_per_s);
    speed_title = buf;
  }

  const bool row = size.x > 1000 * sc;  // four in a row when wide, else two by two
  const ImGuiStyle& style = ImGui::GetStyle();
  const float w = row ? (size.x - 3 * style.ItemSpacing.x) / 4 : (size.x - style.ItemSpacing.x) / 2;
  const float h = row ? size.y : (size.y - style.ItemSpacing.y) / 2;
  auto cell = [&](int i, const PlotSpec& spec, const std::vector<PlotLine>& lines) {
    if (i > 0 && (row || i % 2 == 1)) ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::PushID(i);
    draw_plot(spec, lines, ImVec2(w, h), sc);
    ImGui::PopID();
    ImGui::EndGroup();
  };
  cell(0,
       {.id = "##loss",
        .title = tr("Training loss"),
        .x_label = tr("epoch"),
        .y_label = tr("loss"),
        .formula =
            tr("Cross-entropy of each training batch: L = -(1/B) sum_i log softmax(z_i)[y_i]. "
               "Smoothed: s_n = 0.9 s_(n-1) + 0.1 L_n, shown as s_n / (1 - 0.9^n). Epoch "
               "mean: sum of B*L over the epoch / images seen (metrics.jsonl train_loss). "
               "A model that guesses has L = ln 10 = 2.30."),
        .x_max = epochs},
       loss_lines);
  cell(1,
       {.id = "##acc",
        .title = tr("Accuracy"),
        .x_label = tr("epoch"),
        .y_label = tr("accuracy"),
        .formula = tr("test = correct arg-max predictions / test images, with the weights at the "
                      "end of the epoch (nn/train evaluate). train (running) = correct / images "
                      "seen during the epoch's steps, on augmented images while the weights "
                      "change. Chance level for 10 classes: 1/10 = 10%."),
        .y_min = 0,
        .y_max = 1,
        .x_max = epochs,
        .hline = 0.1,
        .hline_label = tr("chance 10%"),
        .percent = true},
       {train_acc, test_acc});
  cell(2,
       {.id = "##lr",
        .title = tr("Learning rate"),
        .x_label = tr("epoch"),
        .y_label = "lr",
        .formula = tr("The rate of each step (nn/optim lr_at). One-cycle: from lr/25 up to lr "
                      "during the first 30% (of all steps), then down to lr/(25*10^4), both along "
                      "half a cosine. Cosine: lr * (1 + cos(pi t / T)) / 2. A CLI run shows the "
                      "rate of each epoch's last step."),
        .x_max = epochs},
       {lr});
  cell(3,
       {.id = "##speed",
        .title = speed_title.c_str(),
        .x_label = tr("epoch"),
        .y_label = "img/s",
        .formula = tr("img/s = training images of the epoch so far / seconds spent in their "
                      "steps (evaluation excluded). ETA = steps left * mean seconds per step of "
                      "this session (the test evaluations come on top)."),
        .x_max = epochs},
       {speed});
}

}  // namespace sl::viz
