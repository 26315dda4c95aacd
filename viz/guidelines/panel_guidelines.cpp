// viz/guidelines/panel_guidelines.cpp - the Guidelines panel: ShuffleNet V2's experiments
// G1-G4 and the zero-copy shuffle, measured on this machine beside the paper's tables.
// Controls on the left (experiment, backend, threads, batch, quick/precise, run, cancel,
// progress); on the right the table with each row's multiply-adds and MAC, the bar chart
// (normalised, with where the trend holds) and the experiment's own view (G1 ratio slider
// and MAC curve, G2 groups slider, G3 op calls, G4 element-wise share). Every number comes
// from GuidelinesState (nn/guidelines.h); runs go on its worker thread.
//
// [SECTION] index
//   text        what each experiment does, formulas per row
//   controls    the left column
//   table       one experiment's table with (?) formulas
//   views       G1 .. G4 extras, zero-copy
//   panel       layout
#include <algorithm>
#include <cstdio>
#include <thread>

#include "viz/app_state.h"
#include "viz/guidelines/panel_guidelines.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] text

static const char* kWhat[kGuidelinesViews] = {
    "Block: 1x1 conv c1 -> c2, then 1x1 conv c2 -> c1, stacked 10 times on 56 x 56. The ratio "
    "c1:c2 "
    "changes while the multiply-adds stay (nearly) the same: MAC is smallest when c1 = c2.",
    "Block: one 1x1 group convolution c -> c with g groups, stacked 10 times. c grows with g so "
    "that "
    "the multiply-adds h*w*c*c/g stay the same, and MAC = h*w*2c + c*c/g grows.",
    "1, 2 or 4 1x1 convolutions per block, in series (c' = c/sqrt(n) each) or in parallel (c -> "
    "c/n "
    "each, then concat), stacked 10 times: the same multiply-adds cut into more, smaller op calls.",
    "ResNet bottleneck (1x1 c -> c/4, 3x3 c/4 -> c/4, 1x1 c/4 -> c) with its ReLUs and the "
    "shortcut "
    "add switched on and off, stacked 10 times: element-wise ops have no multiply-adds but real "
    "MAC.",
    "A ShuffleNet V2 unit (split, branch, concat, shuffle) followed by the next 1x1 convolution "
    "that "
    "reads the whole shuffled tensor, 10 units. Three ways: the plain shuffle copy; (a) the "
    "shuffle's "
    "permutation folded into the 1x1 weights; (b) the shuffled tensor never built: the 1x1 conv "
    "reads "
    "the two halves where they are, one matmul per half, accumulating."};

// The formula of a row's multiply-adds and MAC, with its numbers (the values come from nn/cost).
static std::string madds_formula(const GuidelineRow& r) {
  const GuidelineConfig& c = r.config;
  const std::string pre =
      str_cat(c.blocks, " blocks x N=", c.batch, " x h*w=", c.hw, "*", c.hw, " x ");
  std::string f;
  switch (c.guideline) {
    case Guideline::g1:
      f = str_cat(pre, "(c1*c2 + c2*c1) with (c1, c2) = (", c.c1, ", ", c.c2, ")");
      break;
    case Guideline::g2: f = str_cat(pre, "c*c/g with c = ", c.c1, ", g = ", c.groups); break;
    case Guideline::g3:
      f = c.parallel || c.fragments == 1
              ? str_cat(pre, "n * c*(c/n) with n = ", c.fragments, ", c = ", c.c1)
              : str_cat(pre, "n * c'*c' with n = ", c.fragments,
                        ", c' = round(c/sqrt(n)) = ", g3_series_width(c));
      break;
    case Guideline::g4: f = str_cat(pre, "(c*c/4 + 9*(c/4)^2 + (c/4)*c) with c = ", c.c1); break;
  }
  return str_cat(
      tr("multiply-adds (the papers' FLOPs) per pass, conv2d_madds summed over the layers:\n"), f,
      "\n= ", grouped(r.madds));
}

static std::string mac_formula(const GuidelineRow& r) {
  const char* f = "";
  switch (r.config.guideline) {
    case Guideline::g1:
      f = "per 1x1 conv: MAC = N*h*w*(c_in + c_out) + c_in*c_out (maps in and out, weights)";
      break;
    case Guideline::g2: f = "per 1x1 group conv: MAC = N*h*w*(c + c) + c*c/g"; break;
    case Guideline::g3:
      f = "per 1x1 conv: N*h*w*(c_in + c_out) + c_in*c_out; concat: reads and writes N*h*w*c";
      break;
    case Guideline::g4:
      f = "convs: N*(h*w*C_in + h*w*C_out) + K*K*C_in*C_out; relu: in + out; add: 2 in + out";
      break;
  }
  return str_cat(tr("memory access cost, elements read + written per pass (the sum of nn/cost's "
                    "conv2d_cost, relu_cost, add_cost, concat_cost of every op):\n"),
                 tr(f), "\n= ", grouped(r.mac),
                 r.elementwise_mac ? str_cat(tr("\nof which element-wise and concat: "),
                                             grouped(r.elementwise_mac))
                                   : std::string());
}

// [SECTION] controls

static void draw_controls(AppState& app) {
  GuidelinesState& s = app.guidelines;
  const bool busy = s.running();
  heading(tr("Experiment"));
  for (int i = 0; i < kGuidelinesViews; ++i) {
    const GuidelinesView v = (GuidelinesView)i;
    static const char* kShort[kGuidelinesViews] = {"G1  equal channel widths",
                                                   "G2  group convolution", "G3  fragmentation",
                                                   "G4  element-wise ops", "Zero-copy shuffle"};
    if (ImGui::Selectable(trid(kShort[i]).c_str(), s.view == v)) s.view = v;
    if (ImGui::IsItemHovered() && i < kGuidelineCount)
      ImGui::SetTooltip(tr("%s: %s (paper Table %d)"), guidelines_view_name(v),
                        tr(guideline_title((Guideline)i)), i + 1);
  }
  ImGui::Spacing();
  heading(tr("Backend"));
  device_switch(&s.device, busy,
                tr("Where the experiments run. CPU: compare with the paper's ARM column (one "
                   "thread there). CUDA: compare with its GPU column; every timed pass ends with "
                   "a device synchronisation, so it times the kernels, not their launch."));
  ImGui::BeginDisabled(busy);
  ImGui::SetNextItemWidth(-1);
  const int cores = (int)std::max(1u, std::thread::hardware_concurrency());
  ImGui::SliderInt("##threads", &s.threads, 0, cores,
                   s.threads == 0 ? tr("threads: all cores") : tr("threads: %d"));
  ImGui::SetNextItemWidth(-1);
  ImGui::SliderInt("##batch", &s.batch, 1, 16, tr("batch: %d"));
  if (ImGui::RadioButton(trid("Quick").c_str(), !s.precise)) s.precise = false;
  help_marker(
      tr("Quick: the first width column, median of 9 passes after 2 warm-ups (seconds).\n"
         "Precise: all three width columns (x1, x2, x4 or three c), median of 21 passes after 3 "
         "warm-ups (a minute or two)."));
  ImGui::SameLine();
  if (ImGui::RadioButton(trid("Precise").c_str(), s.precise)) s.precise = true;
  ImGui::EndDisabled();
  ImGui::Spacing();
  const float bw = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  if (!busy) {
    if (ImGui::Button(str_cat(tr("Run "), guidelines_view_name(s.view), "###run").c_str(),
                      ImVec2(bw, 0)))
      s.start_run(false);
    ImGui::SameLine();
    if (ImGui::Button(trid("Run all").c_str(), ImVec2(bw, 0))) s.start_run(true);
  } else if (ImGui::Button(trid("Cancel").c_str(), ImVec2(-1, 0))) {
    s.cancel();
  }
  const float p = busy ? (float)s.progress() : 0.f;
  ImGui::ProgressBar(p, ImVec2(-1, 0), busy ? str_cat((int)(p * 100), "%").c_str() : tr("idle"));
  ImGui::PushTextWrapPos(0);
  if (busy) ImGui::TextDisabled("%s", s.progress_text().c_str());
  if (!s.error().empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", s.error().c_str());
  if (!s.last_run.empty()) ImGui::TextDisabled(tr("last run: %s"), s.last_run.c_str());
  ImGui::Spacing();
  heading(tr("The paper's setup"));
  ImGui::TextDisabled(
      "%s", tr("GPU: GTX 1080Ti, cuDNN 7, batches/s. ARM: Snapdragon 810, one thread, images/s. "
               "Input 56 x 56, every block stacked 10 times. Here the CPU uses the ARM column's "
               "channel counts, CUDA the GPU's."));
  ImGui::TextDisabled(
      "%s", tr("Timings are medians and move with machine load: compare trends, not values."));
  ImGui::PopTextWrapPos();
}

// [SECTION] table

// A header as a plain row (a Headers row's text does not count towards auto-fit widths).
void header_row() {
  ImGui::TableNextRow();
  ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ink().code_bg);
}

static void header_cell(const char* name, const char* formula) {
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(tr(name));
  if (formula) help_marker(tr(formula));
}

static void cell(const std::string& text, const std::string& formula, ImU32 color = 0) {
  ImGui::TableNextColumn();
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text.c_str());
  if (color) ImGui::PopStyleColor();
  if (ImGui::IsItemHovered() && !formula.empty()) ImGui::SetTooltip("%s", formula.c_str());
}

static void draw_table(const GuidelineTable& t, bool cuda) {
  const bool g4 = t.guideline == Guideline::g4;
  const int cols = g4 ? 11 : 10;
  // Scrolls sideways when the window is narrow; as tall as its rows.
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
  const float row_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
  const float h = (float(t.rows.size()) + 1.f) * row_h + ImGui::GetStyle().ScrollbarSize + 2;
  if (!ImGui::BeginTable("rows", cols, flags, ImVec2(0, h))) return;
  header_row();
  header_cell("config", nullptr);
  header_cell("width",
              "the paper's width column: x1, x2, x4 scale the channels; c = the block's channels");
  header_cell("MAdds",
              "multiply-adds per pass of the 10-block stack (conv2d_madds, nn/cost); held (nearly) "
              "fixed across the rows of one width");
  header_cell("MAC", "memory access cost, elements read + written per pass (nn/cost)");
  header_cell("ops",
              "layer op calls per pass (conv2d, relu, add, concat), counted by the pass's OpTally");
  header_cell("ms", "median wall time of one pass (forward, no gradients)");
  header_cell("img/s", "images per second = N * 1000 / median ms");
  header_cell("ours", "our speed / speed of the first row of the same width");
  header_cell(cuda ? "GPU" : "ARM",
              "the paper's speed / its first row's (the column this backend compares with)");
  header_cell(cuda ? "ARM" : "GPU", "the paper's speed / its first row's (the other column)");
  if (g4)
    header_cell(
        "elem.",
        "time in relu + add over the whole pass, each op timed on its own (median over passes)");
  for (const GuidelineRow& r : t.rows) {
    ImGui::TableNextRow();
    const double mine = cuda ? r.paper_gpu_norm : r.paper_arm_norm,
                 other = cuda ? r.paper_arm_norm : r.paper_gpu_norm;
    const double raw = cuda ? r.paper_gpu : r.paper_arm,
                 raw_other = cuda ? r.paper_arm : r.paper_gpu;
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.config.label.c_str());
    if (!r.trend.empty()) {
      ImGui::SameLine();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(r.trend == "holds" ? ink().good
                                                                           : ink().warn),
                         "%s", r.trend == "holds" ? tr("holds") : tr("differs"));
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "%s",
            tr("ours / first row and the paper's / first row each read as slower (< 0.97), the "
               "same (within 3%) or faster (> 1.03); the trend holds when both read the same"));
    }
    cell(r.config.width, "");
    cell(str_cat(fmt_millions(r.madds)), madds_formula(r));
    cell(str_cat(fmt_millions(r.mac)), mac_formula(r));
    cell(std::to_string(r.op_calls), tr("op calls per pass = blocks x ops per block"));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", r.time_ms);
    cell(buf, tr("median of the timed passes, ms"));
    std::snprintf(buf, sizeof buf, "%.1f", r.per_s);
    cell(buf, str_cat("N * 1000 / ms = ", r.config.batch, " * 1000 / ", r.time_ms));
    std::snprintf(buf, sizeof buf, "%.2f", r.measured_norm);
    cell(buf, tr("our img/s / the first row's img/s (same width)"), ink().accent);
    std::snprintf(buf, sizeof buf, "%.2f", mine);
    cell(buf, str_cat(tr("paper: "), raw, tr(" / first row's "), raw / mine));
    std::snprintf(buf, sizeof buf, "%.2f", other);
    cell(buf, str_cat(tr("paper: "), raw_other, tr(" / first row's "), raw_other / other));
    if (g4) {
      std::snprintf(buf, sizeof buf, "%.0f%%", 100 * r.elementwise_share);
      cell(buf, tr("sum of relu + add op times / sum of all op times, per pass, median"));
    }
  }
  ImGui::EndTable();
}

// [SECTION] panel

void draw_panel_guidelines(AppState& app) {
  GuidelinesState& s = app.guidelines;
  s.poll();
  const int v = (int)s.view;
  const bool has = v < kGuidelineCount ? s.tables[v].has_value() : s.zero_copy.has_value();
  if (s.auto_run && !has && !s.running() && s.error().empty())
    s.start_run(false);                       // first look: a quick run
  if (app.headless && s.running()) s.wait();  // screenshots show finished numbers
  const float sc = app.scale;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14 * sc, 12 * sc));
  ImGui::BeginChild("controls",
                    ImVec2(std::min(300 * sc, ImGui::GetContentRegionAvail().x * 0.3f), 0), true);
  draw_controls(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("experiment", ImVec2(0, 0), true);
  ImGui::PushTextWrapPos(0);  // the title too: at 800 px it takes two lines
  ImGui::PushFont(fonts().title);
  if (v < kGuidelineCount)
    ImGui::TextWrapped("%s: %s", guidelines_view_name(s.view), tr(guideline_title((Guideline)v)));
  else
    ImGui::TextUnformatted(tr("Zero-copy shuffle: the shuffle's MAC to 0"));
  ImGui::PopFont();
  ImGui::TextDisabled("%s", tr(kWhat[v]));
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  if (!has) {
    ImGui::TextDisabled("%s",
                        s.running() ? tr("measuring...") : tr("Not measured yet: press Run."));
  } else if (v == (int)GuidelinesView::zero_copy) {
    draw_zero_copy_view(s, sc);
  } else {
    draw_table(*s.tables[v], s.table_device[v] == Device::cuda);
    ImGui::Spacing();
    // The bars and the experiment's own view side by side where the pane is wide; below
    // ~700 px (an 800 or 1024 px window) one above the other, each at a readable height,
    // and the pane scrolls.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool stack = avail.x < 700 * sc;
    const float h = stack ? 300 * sc : std::max(avail.y, 260 * sc);
    ImGui::BeginChild("bars", ImVec2(stack ? avail.x : avail.x * 0.42f, h), false);
    const std::vector<std::string> widths = table_widths(*s.tables[v]);
    static int width_pick = 0;
    width_pick = std::min(width_pick, (int)widths.size() - 1);
    heading(tr("Speed, normalised to the first row"));
    help_marker(
        tr("Each bar: a row's speed divided by the first row's speed at the same width, for "
           "ours and for "
           "the paper's two columns. 'holds' over a row: ours and the paper's compare with 1 "
           "the same way."));
    if (widths.size() > 1)
      for (int i = 0; i < (int)widths.size(); ++i) {
        ImGui::SameLine();
        ImGui::RadioButton(widths[(size_t)i].c_str(), &width_pick, i);
      }
    const ImVec2 ba = ImGui::GetContentRegionAvail();
    draw_bar_chart(bar_rows(*s.tables[v], widths[(size_t)width_pick]),
                   ImVec2(ba.x, std::max(ba.y, 200 * sc)), sc, s.table_device[v] == Device::cuda);
    ImGui::EndChild();
    if (!stack) ImGui::SameLine();
    ImGui::BeginChild("extra",
                      ImVec2(0, stack ? std::max(ImGui::GetContentRegionAvail().y, 360 * sc) : h),
                      false);
    switch (s.view) {
      case GuidelinesView::g1: draw_g1_view(s, sc); break;
      case GuidelinesView::g2: draw_g2_view(s, sc); break;
      case GuidelinesView::g3: draw_g3_view(s, sc); break;
      default: draw_g4_view(s, sc); break;
    }
    ImGui::EndChild();
  }
  ImGui::EndChild();
  ImGui::PopStyleVar();
}

}  // namespace sl::viz
