// viz/blocks/panel_blocks.cpp - the Blocks panel: controls and totals on the left, the
// selected unit drawn like the papers' figures in the middle (panel_blocks_graph.cpp), and
// on the right the one-line finding above four tabs: the whole-network table and the
// by-category breakdown (panel_blocks_table.cpp), the seed article's FLOPs formulas and the
// comparison of two models (panel_blocks_formulas.cpp). Every number is read from the
// BlocksState's Profile (nn/cost and a real timed forward pass, run on a worker thread).
//
// [SECTION] index
//   shared      formula texts, the share cell, table headers with tooltips
//   controls    model, variant, batch, backend, threads, compare; totals; the finding
//   unit        figure and unit pickers above the graph
//   panel       layout
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "viz/blocks/panel_blocks.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] shared

const char* const kBlocksTimeHelp =
    "time = median over the timed forward passes (after one warm-up pass) of each op's wall time, "
    "the device synchronized before and after the op; a block's or the network's time is the sum "
    "of its ops' medians";
const char* const kBlocksMaddsHelp =
    "MAdds = multiply-adds of conv and linear layers, the papers' \"FLOPs\": conv "
    "N\xC2\xB7H_out\xC2\xB7W_out\xC2\xB7"
    "C_out\xC2\xB7(C_in/G)\xC2\xB7K\xC2\xB7K, linear N\xC2\xB7I\xC2\xB7O; every other op counts 0";
const char* const kBlocksMacHelp =
    "MAC = memory access cost in elements read + written: conv N\xC2\xB7(H\xC2\xB7W\xC2\xB7"
    "C_in + "
    "H_out\xC2\xB7W_out\xC2\xB7"
    "C_out) + K\xC2\xB7K\xC2\xB7"
    "C_in\xC2\xB7"
    "C_out/G; BN, ReLU, concat, shuffle 2\xC2\xB7numel; "
    "add 3\xC2\xB7numel; split 0 (views)";
const char* const kBlocksParamsHelp = "params = trainable parameters: conv K\xC2\xB7K\xC2\xB7"
                                      "C_in\xC2\xB7"
                                      "C_out/G, BN 2\xC2\xB7"
                                      "C, linear I\xC2\xB7O + O";

void blocks_toast(AppState& app, const std::string& t) {
  app.toast = t;
  app.toast_left = 3.f;
}

std::string blocks_time_cell(const Profile& p, double ms) { return p.timed ? ms_str(ms) : "-"; }

// A share as text over a bar of its size.
void blocks_share_cell(double share, ImU32 col, bool warn) {
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  ImGui::GetWindowDrawList()->AddRectFilled(a,
                                            ImVec2(a.x + w * float(std::min(1.0, share)), a.y + h),
                                            with_alpha(col, 0.35f), 2.f);
  const std::string t = pct(share);
  if (warn)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", t.c_str());
  else
    ImGui::TextUnformatted(t.c_str());
}

void blocks_header_row(const char* const* names, const char* const* helps, int n) {
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int i = 0; i < n; ++i) {
    if (!ImGui::TableSetColumnIndex(i)) continue;
    ImGui::TableHeader(tr(names[i]));
    if (helps[i] && ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.f);
      ImGui::TextUnformatted(tr(helps[i]));
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  }
}

namespace {

// [SECTION] controls

const std::vector<std::string>& compare_names() {
  static const std::vector<std::string> n = {"v2-0.5",    "v2-1.0",    "v2-1.5",    "v2-2.0",
                                             "v1-g1-1.0", "v1-g2-1.0", "v1-g3-1.0", "v1-g4-1.0",
                                             "v1-g8-1.0", "v1-g3-0.5"};
  return n;
}

void draw_controls(AppState& app) {
  BlocksState& s = app.blocks;
  BlocksConfig& c = s.job.a;
  const float label_w = ImGui::GetFontSize() * 4.6f;
  auto label = [&](const char* t) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(t));
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 1.6f);
  };
  heading(tr("Model"));
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("family"));
  ImGui::SameLine(label_w);
  if (ImGui::RadioButton("V1", c.version == 1) && c.version != 1) c.version = 1, c.scale = 1.f;
  ImGui::SameLine();
  if (ImGui::RadioButton("V2", c.version == 2) && c.version != 2) c.version = 2, c.scale = 1.f;
  help_marker(
      tr("ShuffleNet V1 (Zhang et al. 2018): grouped 1x1 convs and channel shuffle. ShuffleNet V2 "
         "(Ma et al. 2018): channel split, plain 1x1 convs, concat and shuffle."));
  static const float v1_scales[] = {0.25f, 0.5f, 1.f, 1.5f, 2.f},
                     v2_widths[] = {0.5f, 1.f, 1.5f, 2.f};
  if (c.version == 1) {
    static const int gs[] = {1, 2, 3, 4, 8};
    label("groups");
    if (ImGui::BeginCombo("##groups", ("g = " + std::to_string(c.groups)).c_str())) {
      for (int g : gs)
        if (ImGui::Selectable(("g = " + std::to_string(g)).c_str(), g == c.groups)) c.groups = g;
      ImGui::EndCombo();
    }
    help_marker(
        tr("g: groups of the 1x1 convolutions. More groups: fewer MAdds per channel, so V1 widens "
           "the stages to keep ~140M MAdds at scale 1 on ImageNet."));
  }
  label(c.version == 1 ? "scale" : "width");
  char cur[16];
  std::snprintf(cur, sizeof cur, "%.2gx", (double)c.scale);
  if (ImGui::BeginCombo("##scale", cur)) {
    for (float v : c.version == 1 ? std::vector<float>(v1_scales, v1_scales + 5)
                                  : std::vector<float>(v2_widths, v2_widths + 4)) {
      char t[16];
      std::snprintf(t, sizeof t, "%.2gx", (double)v);
      if (ImGui::Selectable(t, v == c.scale)) c.scale = v;
    }
    ImGui::EndCombo();
  }
  help_marker(
      c.version == 1
          ? tr("scale: stage channels = int(table \xC2\xB7 scale) (docs/models.md)")
          : tr("width: V2's channel multiplier; stage channels from docs/models.md's table"));
  label("input");
  int variant = c.imagenet ? 1 : 0;
  if (ImGui::Combo("##variant", &variant, "CIFAR 32x32\0ImageNet 224\0")) c.imagenet = variant == 1;
  help_marker(
      tr("The variant: CIFAR keeps the stem at stride 1 and has no max-pool; ImageNet is the "
         "papers' network."));
  label("batch");
  static const int batches[] = {1, 2, 4, 8, 16, 32};
  if (ImGui::BeginCombo("##batch", std::to_string(c.batch).c_str())) {
    for (int b : batches)
      if (ImGui::Selectable(std::to_string(b).c_str(), b == c.batch)) c.batch = b;
    ImGui::EndCombo();
  }
  help_marker(tr(
      "N: images per forward pass. MAdds and activation MAC grow with N; weights are read once."));

  ImGui::Spacing();
  heading(tr("Backend"));
  device_switch(&c.device, false,
                tr("CPU: core/cpu/'s kernels on the threads below. CUDA: core/cuda/'s kernels on "
                   "GPU 0, each op timed with the device synchronised before and after it, so "
                   "its time is its kernels' run, not their launch (as shufflelab profile --time "
                   "--device cuda)."));
  ImGui::BeginDisabled(c.device != Device::cpu);
  label("threads");
  int threads = c.threads > 0 ? c.threads : cpu_cores();
  if (ImGui::SliderInt("##threads", &threads, 1, cpu_cores())) c.threads = threads;
  ImGui::EndDisabled();
  help_marker(
      tr("CPU threads of the OpenMP kernels for this profile (the app's own thread is not used)."));

  ImGui::Spacing();
  heading(tr("Compare"));
  if (ImGui::Checkbox(trid("with").c_str(), &s.job.compare) && s.job.compare)
    s.right_tab_request = 3;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 1.6f);
  const std::string bname = s.job.b.model_name();
  if (ImGui::BeginCombo("##cmp", bname.c_str())) {
    for (const std::string& n : compare_names())
      if (ImGui::Selectable(n.c_str(), n == bname)) {
        set_model_name(s.job.b, n);
        s.job.compare = true;
        s.right_tab_request = 3;
      }
    ImGui::EndCombo();
  }
  help_marker(tr("A second model, profiled with the same input, batch and backend."));
  // The second model always shares the first one's input, batch and backend.
  s.job.b.imagenet = c.imagenet;
  s.job.b.batch = c.batch;
  s.job.b.device = c.device;
  s.job.b.threads = c.threads;

  ImGui::Spacing();
  if (s.worker.busy()) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().accent), tr("profiling %s ..."),
                       c.model_name().c_str());
  } else if (s.have_result && s.shown.error.empty()) {
    ImGui::TextDisabled(tr("profiled in %.2f s"), s.shown.seconds);
    if (ImGui::SmallButton(trid("measure again").c_str())) s.remeasure();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(tr("Run the same forward passes again: a warm-up, then %d timed runs"),
                        s.job.repeats);
  }
}

void draw_totals(AppState& app) {
  const BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  heading((tr("Totals of ") + p.model).c_str());
  value_with_help(tr("params"), grouped(p.params), tr(kBlocksParamsHelp));
  value_with_help(tr("MAdds "), grouped(p.madds), tr(kBlocksMaddsHelp));
  value_with_help(tr("MAC   "), grouped(p.mac), tr(kBlocksMacHelp));
  value_with_help(tr("time  "), ms_str(p.time_ms) + " ms", tr(kBlocksTimeHelp));
  value_with_help(tr("runs  "), ms_str(p.time_min_ms) + " .. " + ms_str(p.time_max_ms),
                  tr("fastest .. slowest of the timed forward passes, each the sum of its ops' "
                     "times; the time above sums each op's median, so it can be below the "
                     "fastest pass"));
  if (p.time_min_ms > 0 && p.time_max_ms > 1.5 * p.time_min_ms) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextColored(
        ImGui::ColorConvertU32ToFloat4(ink().warn),
        tr("The slowest pass took %.1fx the fastest: the machine is busy, times may mislead."),
        p.time_max_ms / p.time_min_ms);
    ImGui::PopTextWrapPos();
  }
}

// The one-line finding above the right pane: the share of time FLOPs do not see.
void draw_finding(AppState& app) {
  const BlocksState& s = app.blocks;
  const CategorySummary cs = summarize_categories(s.shown.a, s.shown.job.a.backend());
  ImGui::PushTextWrapPos(0.f);
  ImGui::PushFont(fonts().bold);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s",
                     pct(cs.blind_time_share).c_str());
  ImGui::PopFont();
  help_marker(tr("share = time of the ops with 0 MAdds / time of all ops (sums of medians). The V2 "
                 "paper's Fig. 2 "
                 "measured the same on a GPU and an ARM phone; this is this machine's backend."));
  ImGui::SameLine(0, 6);
  std::string line = cs.line.substr(pct(cs.blind_time_share).size() + 1);
  if (s.shown.a.timed) {  // the same sentence as cs.line, in the UI language
    std::string names;
    for (const CategoryRow& r : cs.rows)
      if (r.flops_blind) {
        if (!names.empty()) names += ", ";
        names += r.category;
      }
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  tr("of the measured time on %s (%s of %s ms) goes to ops that FLOPs count as "
                     "free: %s. They do %s of the memory access."),
                  s.shown.job.a.backend().c_str(), ms_str(cs.blind_time_ms).c_str(),
                  ms_str(s.shown.a.time_ms).c_str(), names.c_str(),
                  pct(cs.blind_mac_share).c_str());
    line = buf;
  }
  ImGui::TextUnformatted(line.c_str());
  ImGui::PopTextWrapPos();
}

// [SECTION] unit

void draw_unit(AppState& app) {
  BlocksState& s = app.blocks;
  const bool v1 = s.shown.job.a.version == 1;
  const bool twin = s.figure == UnitFigure::v1_a;
  const Profile& p = twin ? s.shown.bottleneck : s.shown.a;
  std::vector<UnitFigure> figs =
      v1 ? std::vector<UnitFigure>{UnitFigure::v1_a, UnitFigure::v1_b, UnitFigure::v1_c}
         : std::vector<UnitFigure>{UnitFigure::v2_c, UnitFigure::v2_d};
  heading(v1 ? "Fig. 2" : "Fig. 3");
  for (UnitFigure f : figs) {
    ImGui::SameLine();
    const bool on = f == s.figure;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyle().Colors[ImGuiCol_HeaderActive]);
    if (ImGui::SmallButton(figure_tag(f)) && !on) {
      s.figure = f;
      const Profile& q = f == UnitFigure::v1_a ? s.shown.bottleneck : s.shown.a;
      const std::vector<int> u = unit_blocks(q, f);
      s.unit_block = u.empty() ? -1 : u[std::min<size_t>(1, u.size() - 1)];
    }
    if (on) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(figure_caption(f)));
  }
  const std::vector<int> units = unit_blocks(p, s.figure);
  if (std::find(units.begin(), units.end(), s.unit_block) == units.end())
    s.unit_block = units.empty() ? -1 : units.front();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
  const std::string cur = s.unit_block >= 0 ? p.blocks[(size_t)s.unit_block].name : "-";
  if (ImGui::BeginCombo("##unit", cur.c_str())) {
    for (int b : units)
      if (ImGui::Selectable(p.blocks[(size_t)b].name.c_str(), b == s.unit_block)) s.unit_block = b;
    ImGui::EndCombo();
  }
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled("%s", tr(figure_caption(s.figure)));
  ImGui::PopTextWrapPos();
  if (twin) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled(
        tr("Drawn from %s (g = 1), which has this unit; no ReLU after the depthwise conv, as "
           "ShuffleNet builds it."),
        p.model.c_str());
    ImGui::PopTextWrapPos();
  }
  const UnitGraph g = build_unit_graph(p, s.unit_block, s.figure);
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.y = std::max(avail.y - 2, 240 * app.scale);
  draw_unit_graph(app, p, g, avail, !twin);
}

}  // namespace

// [SECTION] panel

void draw_panel_blocks(AppState& app) {
  BlocksState& s = app.blocks;
  s.request();
  if (app.headless && !s.have_result) s.worker.wait_idle(300);  // screenshots show measured numbers
  s.update();
  const float sc = app.scale;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12 * sc, 10 * sc));
  const float total_w = ImGui::GetContentRegionAvail().x;
  const float left_w = std::clamp(total_w * 0.2f, 200 * sc, 280 * sc);
  ImGui::BeginChild("blocks_controls", ImVec2(left_w, 0), true);
  draw_controls(app);
  const bool ok = s.have_result && s.shown.error.empty();
  if (s.have_result && !s.shown.error.empty()) {
    ImGui::Spacing();
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "error: %s",
                       s.shown.error.c_str());
    ImGui::PopTextWrapPos();
  }
  if (ok) {
    ImGui::Spacing();
    ImGui::Separator();
    draw_totals(app);
  }
  ImGui::EndChild();
  if (!ok) {
    ImGui::PopStyleVar();
    return;
  }
  ImGui::SameLine();
  // Figures with ops on both branches (V1 (c), V2 (d)) get more of the width.
  const float mid_share =
      s.figure == UnitFigure::v2_d || s.figure == UnitFigure::v1_c ? 0.5f : 0.38f;
  const float mid_w = std::clamp((total_w - left_w) * mid_share, 280 * sc, 560 * sc);
  ImGui::BeginChild("blocks_unit", ImVec2(mid_w, 0), true);
  draw_unit(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("blocks_right", ImVec2(0, 0), true);
  draw_finding(app);
  if (ImGui::BeginTabBar("blocks_tabs")) {
    static const char* tabs[] = {"Network", "By category", "FLOPs formulas", "Compare"};
    void (*draw[])(AppState&) = {draw_blocks_table, draw_blocks_categories, draw_blocks_formulas,
                                 draw_blocks_compare};
    for (int t = 0; t < 4; ++t) {
      const ImGuiTabItemFlags f = s.right_tab_request == t ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(trid(tabs[t]).c_str(), nullptr, f)) {
        draw[t](app);
        ImGui::EndTabItem();
      }
    }
    s.right_tab_request = -1;
    ImGui::EndTabBar();
  }
  ImGui::EndChild();
  ImGui::PopStyleVar();
}

}  // namespace sl::viz
