// viz/guidelines/panel_guidelines_views.cpp - what each experiment shows under its table:
// G1 the ratio slider with MAC, its AM-GM bound and measured time against c2/c1; G2 the
// groups slider with MAC per g; G3 op calls and why CPU and GPU differ; G4 the element-wise
// share of time and MAC; and the zero-copy shuffle's table and bars. Numbers come from
// GuidelinesState and nn/guidelines (g1_point, g2_point); nothing is recomputed here.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/guidelines/panel_guidelines.h"
#include "viz/i18n.h"

namespace sl::viz {

namespace {

// The rows of a table at its first width (what quick mode measures).
std::vector<GuidelineRow> first_width_rows(const GuidelineTable& t) {
  std::vector<GuidelineRow> out;
  for (const GuidelineRow& r : t.rows)
    if (r.config.width == t.rows[0].config.width) out.push_back(r);
  return out;
}

std::string num(const char* f, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Before the next "label value (?)": on this line, 16 px on, when it fits; else the next line.
void next_value(const char* label, const std::string& value, float sc) {
  const float w = ImGui::CalcTextSize(label).x + ImGui::CalcTextSize(value.c_str()).x +
                  ImGui::CalcTextSize("(?)").x + 3 * ImGui::GetStyle().ItemSpacing.x + 16 * sc;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + w <= right) ImGui::SameLine(0, 16 * sc);
}

}  // namespace

// [SECTION] G1

void draw_g1_view(GuidelinesState& s, float sc) {
  const GuidelineConfig base = guideline_configs(Guideline::g1, s.device, 0, s.batch)[0];
  const int64_t hw = base.hw, budget = hw * hw * base.c1 * base.c2;
  heading(tr("MAC against the ratio, B fixed"));
  help_marker(
      tr("B = h*w*c1*c2 (one 1x1 conv, N = 1) is held at the 1:1 row's value. By AM-GM, "
         "c1 + c2 >= 2*sqrt(c1*c2), so MAC = h*w*(c1 + c2) + c1*c2 >= 2*sqrt(h*w*B) + B/(h*w), "
         "with equality at c1 = c2."));
  float lr = (float)std::log2(s.g1_ratio);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  if (ImGui::SliderFloat("##ratio", &lr, -4.f, 4.f, num("c2/c1 = %.2f", s.g1_ratio).c_str()))
    s.g1_ratio = std::pow(2.0, (double)lr);
  ImGui::SameLine();
  ImGui::BeginDisabled(s.running());
  if (ImGui::Button(trid("Time this ratio").c_str())) s.start_g1_point(s.g1_ratio);
  ImGui::EndDisabled();
  const G1Point p = g1_point(s.g1_ratio, hw, budget);
  value_with_help("c2/c1", num("%.2f", p.ratio),
                  tr("the slider, any ratio from 1/16 to 16 (log scale)"));
  next_value("(c1, c2)", str_cat("(", p.c1, ", ", p.c2, ")"), sc);
  value_with_help("(c1, c2)", str_cat("(", p.c1, ", ", p.c2, ")"),
                  tr("c1 = sqrt(B / (h*w*ratio)), c2 = ratio * c1, rounded"));
  next_value(tr("MAC"), str_cat(p.mac), sc);
  value_with_help(tr("MAC"), str_cat(p.mac), "h*w*(c1 + c2) + c1*c2 (conv2d_mac)");
  next_value(tr("bound"), num("%.0f", p.mac_lower_bound), sc);
  value_with_help(tr("bound"), num("%.0f", p.mac_lower_bound),
                  tr("2*sqrt(h*w*B) + B/(h*w) with this row's B"));
  std::vector<G1Measured> measured;
  if (s.tables[0])
    for (const GuidelineRow& r : first_width_rows(*s.tables[0]))
      measured.push_back({r.config.label, double(r.config.c2) / double(r.config.c1), r.time_ms,
                          r.config.c1, r.config.c2, true});
  for (const GuidelineRow& r : s.g1_points)
    measured.push_back({r.config.label, double(r.config.c2) / double(r.config.c1), r.time_ms,
                        r.config.c1, r.config.c2, false});
  std::sort(measured.begin(), measured.end(),
            [](const G1Measured& a, const G1Measured& b) { return a.ratio < b.ratio; });
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_g1_plot(g1_curve(hw, budget), measured, s.g1_ratio,
               ImVec2(avail.x, std::max(avail.y, 180 * sc)), sc);
}

// [SECTION] G2

void draw_g2_view(GuidelinesState& s, float sc) {
  const GuidelineConfig base = guideline_configs(Guideline::g2, s.device, 0, s.batch)[0];
  const int64_t hw = base.hw, budget = hw * hw * base.c1 * base.c1;
  heading(tr("MAC against the number of groups"));
  help_marker(
      tr("B = h*w*c*c/g held at the g = 1 row's value, so c = sqrt(g*B/(h*w)) grows with g, and "
         "MAC = h*w*2c + c*c/g = 2*sqrt(g*h*w*B) + B/(h*w) grows as sqrt(g)."));
  int lg = 0;
  while ((1 << lg) < s.g2_groups) ++lg;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  if (ImGui::SliderInt("##groups", &lg, 0, 6, str_cat("g = ", 1 << lg).c_str()))
    s.g2_groups = 1 << lg;
  ImGui::SameLine();
  ImGui::BeginDisabled(s.running());
  if (ImGui::Button(trid("Time this g").c_str())) s.start_g2_point(s.g2_groups);
  ImGui::EndDisabled();
  const G2Point p = g2_point(s.g2_groups, hw, budget);
  value_with_help("c", str_cat(p.c), tr("c = sqrt(g*B/(h*w)), rounded to a multiple of g"));
  next_value(tr("MAdds"), str_cat(p.madds), sc);
  value_with_help(tr("MAdds"), str_cat(p.madds), tr("h*w*c*c/g (conv2d_madds, one conv, N = 1)"));
  next_value(tr("MAC"), str_cat(p.mac), sc);
  value_with_help(tr("MAC"), str_cat(p.mac), "h*w*2c + c*c/g (conv2d_mac)");
  std::vector<PlainBar> macs, times;
  for (int g = 1; g <= 64; g *= 2) {
    const G2Point q = g2_point(g, hw, budget);
    macs.push_back({str_cat("g=", g, " c=", q.c), double(q.mac),
                    str_cat("MAC = h*w*2c + c*c/g = ", hw * hw, "*2*", q.c, " + ", q.c, "*", q.c,
                            "/", g, " = ", q.mac),
                    g == s.g2_groups ? ink().warn : 0, "%.0f %s"});
  }
  std::vector<GuidelineRow> rows =
      s.tables[1] ? first_width_rows(*s.tables[1]) : std::vector<GuidelineRow>();
  rows.insert(rows.end(), s.g2_points.begin(), s.g2_points.end());
  for (const GuidelineRow& r : rows)
    times.push_back({str_cat(r.config.label, " c=", r.config.c1), r.time_ms,
                     str_cat(tr("median ms per pass of 10 group convs, c = "), r.config.c1,
                             ", g = ", r.config.groups),
                     0, "%.2f %s"});
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::TextDisabled("%s", tr("MAC per 1x1 group conv (one image)"));
  draw_plain_bars(macs, ImVec2(avail.x, avail.y * 0.5f - 20 * sc), sc, "");
  ImGui::TextDisabled("%s", tr("measured: table rows and slider points"));
  draw_plain_bars(times, ImVec2(avail.x, std::max(ImGui::GetContentRegionAvail().y, 60 * sc)), sc,
                  "ms");
}

// [SECTION] G3

void draw_g3_view(GuidelinesState& s, float sc) {
  heading(tr("Op calls and time per pass"));
  help_marker(tr("ops = layer op calls per pass, counted by the pass's OpTally: 10 blocks x "
                 "(fragments + 1 concat "
                 "when parallel)."));
  std::vector<PlainBar> ops, times;
  for (const GuidelineRow& r : first_width_rows(*s.tables[2])) {
    ops.push_back({r.config.label, double(r.op_calls), tr("op calls per pass (OpTally)"),
                   group_color(3, 8), "%.0f %s"});
    times.push_back({r.config.label, r.time_ms, tr("median ms per pass"), 0, "%.2f %s"});
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float h = std::min(avail.y * 0.28f, 140 * sc);
  draw_plain_bars(ops, ImVec2(avail.x, h), sc, "calls");
  draw_plain_bars(times, ImVec2(avail.x, h), sc, "ms");
  heading(tr("Why the CPU and the GPU differ"));
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", tr(g3_cpu_gpu_note()));
  ImGui::PopTextWrapPos();
}

// [SECTION] G4

void draw_g4_view(GuidelinesState& s, float sc) {
  heading(tr("Element-wise share"));
  help_marker(tr(
      "time: relu + add op times / all op times in one pass, each op timed on its own, median over "
      "passes. MAC: relu reads and writes each element (2 per element), add reads two and writes "
      "one (3)."));
  std::vector<PlainBar> share, mac;
  for (const GuidelineRow& r : first_width_rows(*s.tables[3])) {
    share.push_back({r.config.label, 100 * r.elementwise_share,
                     tr("relu + add time / total op time, median"), group_color(2, 8),
                     "%.0f%% %s"});
    mac.push_back({r.config.label,
                   100.0 * double(r.elementwise_mac) / double(std::max<int64_t>(r.mac, 1)),
                   str_cat(tr("element-wise MAC / total MAC = "), r.elementwise_mac, " / ", r.mac),
                   group_color(5, 8), "%.0f%% %s"});
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::TextDisabled("%s", tr("share of time"));
  draw_plain_bars(share, ImVec2(avail.x, avail.y * 0.4f), sc, "of time");
  ImGui::TextDisabled("%s", tr("share of MAC (multiply-adds are the same in every row)"));
  draw_plain_bars(mac, ImVec2(avail.x, avail.y * 0.4f), sc, "of MAC");
}

// [SECTION] zero-copy

void draw_zero_copy_view(GuidelinesState& s, float sc) {
  const ZeroCopyResult& z = *s.zero_copy;
  ImGui::TextDisabled(tr("10 units, input %s per unit, shuffle groups %lld"),
                      shape_str(z.input).c_str(), (long long)z.groups);
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("zc", 8, flags)) {
    const char* heads[8][2] = {
        {"variant", nullptr},
        {"MAdds", "multiply-adds per pass (conv2d_madds); the same for all three"},
        {"MAC", "elements read + written per pass (nn/cost records)"},
        {"shuffle MAC",
         "channel_shuffle reads and writes every element: 2*N*C*H*W per unit; 0 when folded"},
        {"concat MAC", "concat reads both halves and writes the joined tensor: 2*N*C*H*W per unit"},
        {"ms", "median ms per pass"},
        {"saved", "(plain ms - this ms) / plain ms"},
        {"max |diff|",
         "largest |output - plain output|: 0 up to float rounding (sums run in another order)"}};
    header_row();
    for (auto& h : heads) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(h[0]);
      if (h[1]) help_marker(tr(h[1]));
    }
    for (const ZeroCopyRow& r : z.rows) {
      ImGui::TableNextRow();
      const std::string vals[8] = {r.variant,
                                   fmt_millions(r.madds),
                                   fmt_millions(r.mac),
                                   fmt_millions(r.shuffle_mac),
                                   fmt_millions(r.concat_mac),
                                   num("%.3f", r.time_ms),
                                   num("%+.1f%%", r.saved_pct),
                                   num("%.2g", r.max_abs_diff)};
      for (int k = 0; k < 8; ++k) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(vals[k].c_str());
        if (k > 0 && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(heads[k][1]));
      }
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  std::vector<PlainBar> times, macs;
  for (const ZeroCopyRow& r : z.rows) {
    times.push_back({r.variant, r.time_ms, tr("median ms per pass"), 0, "%.2f %s"});
    macs.push_back({r.variant, double(r.shuffle_mac + r.concat_mac) / 1e6,
                    tr("shuffle MAC + concat MAC per pass, millions of elements"),
                    group_color(4, 8), "%.2fM%s"});
  }
  const float w = ImGui::GetContentRegionAvail().x * 0.5f - 8 * sc;
  ImGui::BeginGroup();
  heading(tr("time per pass"));
  draw_plain_bars(times, ImVec2(w, 90 * sc), sc, "ms");
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  heading(tr("channel-moving MAC (shuffle + concat)"));
  draw_plain_bars(macs, ImVec2(w, 90 * sc), sc, "");
  ImGui::EndGroup();
  heading(tr("How"));
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(
      "%s", tr("Shuffle with G groups: output channel j = m*G + g takes input channel i = "
               "g*(C/G) + m. A 1x1 conv after "
               "it computes out[o] = sum_g sum_m W[o, m*G + g] * x[g*(C/G) + m]."));
  ImGui::TextDisabled(
      "%s", tr("(a) W_fold[o, g*(C/G) + m] = W[o, m*G + g], permuted once when the weights "
               "load: the conv reads x "
               "unshuffled, and the shuffle copy is gone (concat remains)."));
  ImGui::TextDisabled(
      "%s", tr("(b) the block g of W_fold multiplies input block g, which is the left half "
               "(a view of the unit's input) or "
               "the branch output, read where they are: out = W_0 @ left, then out += W_1 @ "
               "right. Neither concat nor "
               "shuffle is copied; the price is one extra read of out per accumulating "
               "block, and matmul calls per image."));
  ImGui::PopTextWrapPos();
}

}  // namespace sl::viz
