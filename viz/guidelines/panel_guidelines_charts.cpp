// viz/guidelines/panel_guidelines_charts.cpp - the Guidelines panel's drawings, with
// ImDrawList in the app's ink: grouped bars (ours beside the paper's ARM and GPU columns,
// normalised to the first row), plain bars (op calls, time shares, zero-copy times), and
// G1's MAC curve with its AM-GM bound and the measured times. Every number drawn comes
// from GuidelinesState; hovering a bar or point shows its value and formula.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/guidelines/panel_guidelines.h"
#include "viz/i18n.h"

namespace sl::viz {

namespace {

ImU32 ours_color() { return ink().accent; }
ImU32 arm_color() { return group_color(4, 8); }
ImU32 gpu_color() { return group_color(1, 8); }

void legend_item(ImDrawList* dl, ImVec2& p, ImU32 c, const char* label, float sc) {
  label = tr(label);
  dl->AddRectFilled(ImVec2(p.x, p.y + 3 * sc), ImVec2(p.x + 10 * sc, p.y + 13 * sc), c, 2 * sc);
  dl->AddText(ImVec2(p.x + 14 * sc, p.y), ink().dim, label);
  p.x += 22 * sc + ImGui::CalcTextSize(label).x;
}

std::string fmt2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string fmt_millions(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fM", double(v) / 1e6);
  return buf;
}

void draw_bar_chart(const std::vector<BarRow>& rows, ImVec2 size, float sc, bool cuda) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##bars", size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (rows.empty()) return;
  const float legend_h = 20 * sc, label_h = 20 * sc, left = 34 * sc;
  const ImVec2 a(p0.x + left, p0.y + legend_h), b(p0.x + size.x, p0.y + size.y - label_h);
  double top = 1.2;
  for (const BarRow& r : rows)
    top = std::max({top, r.ours * 1.08, r.paper_arm * 1.08, r.paper_gpu * 1.08});
  auto y_of = [&](double v) { return b.y - float(v / top) * (b.y - a.y); };
  ImVec2 lp(a.x, p0.y);
  legend_item(dl, lp, ours_color(), cuda ? "ours (CUDA)" : "ours (CPU)", sc);
  legend_item(dl, lp, arm_color(), "paper ARM", sc);
  legend_item(dl, lp, gpu_color(), "paper GPU", sc);
  double step = 0.25;  // at most about 6 ticks
  for (double s : {0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0})
    if (top / s <= 6) {
      step = s;
      break;
    }
  for (double v = 0; v <= top; v += step) {  // axis ticks, 1.0 (the first row) stronger
    const float y = y_of(v);
    dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), ink().faint);
    const std::string t = fmt2(v);
    dl->AddText(ImVec2(p0.x, y - 7 * sc), ink().dim, t.c_str());
  }
  dl->AddLine(ImVec2(a.x, y_of(1.0)), ImVec2(b.x, y_of(1.0)), ink().dim,
              1.5f);  // the first row's speed
  const float group_w = (b.x - a.x) / float(rows.size()),
              bar_w = std::min(group_w * 0.8f / 3.f, 34 * sc);
  for (size_t i = 0; i < rows.size(); ++i) {
    const BarRow& r = rows[i];
    const float gx = a.x + group_w * float(i) + (group_w - 3 * bar_w) * 0.5f;
    const double vals[3] = {r.ours, r.paper_arm, r.paper_gpu};
    const ImU32 cols[3] = {ours_color(), arm_color(), gpu_color()};
    const char* names[3] = {"ours", "paper ARM", "paper GPU"};
    for (int k = 0; k < 3; ++k) {
      const ImVec2 lo(gx + bar_w * float(k), y_of(vals[k])),
          hi(gx + bar_w * float(k + 1) - 2 * sc, b.y);
      dl->AddRectFilled(lo, hi, cols[k], 2 * sc, ImDrawFlags_RoundCornersTop);
      if (hovered && mouse.x >= lo.x && mouse.x < hi.x && mouse.y >= a.y && mouse.y <= b.y)
        ImGui::SetTooltip(
            tr("%s, %s: %.3f\nspeed / speed of the first row (same width); > 1 is faster%s"),
            r.label.c_str(), names[k], vals[k],
            r.trend.empty()      ? ""
            : r.trend == "holds" ? tr("\nthe paper's trend holds here")
                                 : tr("\nthe paper's trend differs here"));
    }
    const ImVec2 ts = ImGui::CalcTextSize(r.label.c_str());
    const float cx = a.x + group_w * (float(i) + 0.5f);
    dl->AddText(ImVec2(cx - ts.x * 0.5f, b.y + 3 * sc), ink().text, r.label.c_str());
    if (!r.trend.empty()) {  // a mark over the group: does the paper's trend hold here?
      const bool holds = r.trend == "holds";
      const bool fits = ImGui::CalcTextSize(tr("differs")).x < group_w - 4 * sc;
      const char* mark = holds ? (fits ? tr("holds") : "+") : (fits ? tr("differs") : "x");
      const ImVec2 ms = ImGui::CalcTextSize(mark);
      dl->AddText(ImVec2(cx - ms.x * 0.5f, a.y - 2 * sc), holds ? ink().good : ink().warn, mark);
    }
  }
}

void draw_plain_bars(const std::vector<PlainBar>& bars, ImVec2 size, float sc, const char* unit) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plain", size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (bars.empty()) return;
  double top = 0;
  for (const PlainBar& b : bars) top = std::max(top, b.value);
  if (top <= 0) top = 1;
  float label_w = 0;
  for (const PlainBar& b : bars)
    label_w = std::max(label_w, ImGui::CalcTextSize(b.label.c_str()).x);
  label_w += 8 * sc;
  const float row_h = std::min(size.y / float(bars.size()), 26 * sc), value_w = 90 * sc;
  for (size_t i = 0; i < bars.size(); ++i) {
    const PlainBar& b = bars[i];
    const float y = p0.y + row_h * float(i);
    dl->AddText(ImVec2(p0.x, y + (row_h - ImGui::GetTextLineHeight()) * 0.5f), ink().text,
                b.label.c_str());
    const float x0 = p0.x + label_w, w = (size.x - label_w - value_w) * float(b.value / top);
    const ImVec2 lo(x0, y + row_h * 0.18f), hi(x0 + std::max(w, 1.f), y + row_h * 0.82f);
    dl->AddRectFilled(lo, hi, b.color ? b.color : ours_color(), 2 * sc);
    char v[64];
    std::snprintf(v, sizeof v, b.format.empty() ? "%.3g %s" : b.format.c_str(), b.value, unit);
    dl->AddText(ImVec2(hi.x + 6 * sc, y + (row_h - ImGui::GetTextLineHeight()) * 0.5f), ink().dim,
                v);
    if (hovered && mouse.y >= y && mouse.y < y + row_h && !b.formula.empty())
      ImGui::SetTooltip("%s", b.formula.c_str());
  }
}

void draw_g1_plot(const std::vector<G1CurvePoint>& curve, const std::vector<G1Measured>& measured,
                  double ratio, ImVec2 size, float sc) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##g1plot", size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (curve.empty()) return;
  const float legend_h = 20 * sc, bottom = 20 * sc, left = 52 * sc, right = 62 * sc;
  const ImVec2 a(p0.x + left, p0.y + legend_h), b(p0.x + size.x - right, p0.y + size.y - bottom);
  double mac_hi = 0, mac_lo = 1e300, t_hi = 0;
  for (const G1CurvePoint& c : curve) {
    mac_hi = std::max(mac_hi, c.mac);
    mac_lo = std::min(mac_lo, c.bound);
  }
  for (const G1Measured& m : measured) t_hi = std::max(t_hi, m.time_ms);
  mac_lo *= 0.9;
  t_hi = t_hi > 0 ? t_hi * 1.15 : 1;
  auto x_of = [&](double r) { return a.x + float((std::log2(r) + 4.0) / 8.0) * (b.x - a.x); };
  auto y_mac = [&](double m) {
    return b.y - float((m - mac_lo) / (mac_hi - mac_lo)) * (b.y - a.y);
  };
  auto y_t = [&](double t) { return b.y - float(t / t_hi) * (b.y - a.y); };
  dl->AddRect(a, b, ink().faint);
  for (int e = -4; e <= 4; e += 2) {  // ratio ticks 1/16 .. 16
    const float x = x_of(std::pow(2.0, e));
    dl->AddLine(ImVec2(x, a.y), ImVec2(x, b.y), ink().faint);
    char t[16];
    std::snprintf(t, sizeof t, e < 0 ? "1/%d" : "%d", 1 << std::abs(e));
    dl->AddText(ImVec2(x - ImGui::CalcTextSize(t).x * 0.5f, b.y + 3 * sc), ink().dim, t);
  }
  char lab[48];
  std::snprintf(lab, sizeof lab, "%.0fk", mac_hi / 1000);
  dl->AddText(ImVec2(p0.x, a.y - 6 * sc), ink().dim, lab);
  std::snprintf(lab, sizeof lab, "%.0fk", mac_lo / 1000);
  dl->AddText(ImVec2(p0.x, b.y - 12 * sc), ink().dim, lab);
  std::snprintf(lab, sizeof lab, "%.1f ms", t_hi);
  dl->AddText(ImVec2(b.x + 4 * sc, a.y - 6 * sc), group_color(2, 8), lab);
  dl->AddText(ImVec2(a.x + 6 * sc, b.y - 18 * sc), ink().dim, tr("c2 / c1 (log scale)"));
  std::vector<ImVec2> mac_line, bound_line;
  for (const G1CurvePoint& c : curve) {
    mac_line.push_back(ImVec2(x_of(c.ratio), y_mac(c.mac)));
    bound_line.push_back(ImVec2(x_of(c.ratio), y_mac(c.bound)));
  }
  dl->AddPolyline(bound_line.data(), (int)bound_line.size(), ink().dim, 0, 1.5f * sc);
  dl->AddPolyline(mac_line.data(), (int)mac_line.size(), ours_color(), 0, 2.5f * sc);
  std::vector<ImVec2> t_line;
  t_line.reserve(measured.size());
  for (const G1Measured& m : measured) t_line.push_back(ImVec2(x_of(m.ratio), y_t(m.time_ms)));
  if (t_line.size() > 1)
    dl->AddPolyline(t_line.data(), (int)t_line.size(), group_color(2, 8), 0, 1.5f * sc);
  if (hovered && mouse.x >= a.x && mouse.x <= b.x) {
    const double r = std::pow(2.0, (mouse.x - a.x) / (b.x - a.x) * 8.0 - 4.0);
    size_t k = 0;
    for (size_t i = 0; i < curve.size(); ++i)
      if (std::fabs(std::log(curve[i].ratio / r)) < std::fabs(std::log(curve[k].ratio / r))) k = i;
    ImGui::SetTooltip(tr("c2/c1 = %.3g\nMAC = h*w*(c1 + c2) + c1*c2 = %.0f\nlower bound = "
                         "2*sqrt(h*w*B) + B/(h*w) = %.0f"),
                      curve[k].ratio, curve[k].mac, curve[k].bound);
  }
  for (size_t i = 0; i < measured.size(); ++i) {  // a point's tooltip wins over the curve's
    dl->AddCircleFilled(t_line[i], 4.5f * sc, group_color(2, 8));
    if (hovered && std::fabs(mouse.x - t_line[i].x) < 6 * sc &&
        std::fabs(mouse.y - t_line[i].y) < 6 * sc)
      ImGui::SetTooltip(tr("c1:c2 = %s: median %.3f ms per pass\n(c1, c2) = (%lld, %lld), %s"),
                        measured[i].label.c_str(), measured[i].time_ms, (long long)measured[i].c1,
                        (long long)measured[i].c2,
                        measured[i].paper ? tr("a paper row") : tr("a slider point"));
  }
  const float xr = x_of(ratio);  // the slider's ratio
  dl->AddLine(ImVec2(xr, a.y), ImVec2(xr, b.y), ink().accent_soft, 2 * sc);
  ImVec2 lp(a.x, p0.y);
  legend_item(dl, lp, ours_color(), "MAC", sc);
  legend_item(dl, lp, ink().dim, "AM-GM bound", sc);
  legend_item(dl, lp, group_color(2, 8), "measured ms (right axis)", sc);
}

}  // namespace sl::viz
