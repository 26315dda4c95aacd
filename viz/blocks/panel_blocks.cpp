// viz/blocks/panel_blocks.cpp - the Blocks panel: controls and totals on the left, the
// selected unit drawn like the papers' figures in the middle (panel_blocks_graph.cpp), and
// on the right the whole-network table, the by-category breakdown, the seed article's
// FLOPs formulas and the comparison of two models. Every number is read from the
// BlocksState's Profile (nn/cost and a real timed forward pass, run on a worker thread).
//
// [SECTION] index
//   controls    model, variant, batch, backend, threads, compare; totals; the finding
//   unit        figure and unit pickers above the graph
//   table       sortable per layer / block / stage, shares side by side, exports
//   categories  stacked bars of MAdds, MAC and time by op category (V2 paper Fig. 2)
//   formulas    ResNet, ResNeXt, ShuffleNet FLOPs of the selected unit, live
//   compare     two models, stage by stage
//   panel       layout
#include <algorithm>
#include <cmath>

#include "viz/blocks/panel_blocks.h"

namespace sl::viz {

namespace {

const char* kTimeHelp =
    "time = median over the timed forward passes (after one warm-up pass) of each op's wall time, "
    "the device synchronized before and after the op; a block's or the network's time is the sum "
    "of its ops' medians";
const char* kMaddsHelp =
    "MAdds = multiply-adds of conv and linear layers, the papers' \"FLOPs\": conv N\xC2\xB7H_out\xC2\xB7W_out\xC2\xB7"
    "C_out\xC2\xB7(C_in/G)\xC2\xB7K\xC2\xB7K, linear N\xC2\xB7I\xC2\xB7O; every other op counts 0";
const char* kMacHelp =
    "MAC = memory access cost in elements read + written: conv N\xC2\xB7(H\xC2\xB7W\xC2\xB7" "C_in + "
    "H_out\xC2\xB7W_out\xC2\xB7" "C_out) + K\xC2\xB7K\xC2\xB7" "C_in\xC2\xB7" "C_out/G; BN, ReLU, concat, shuffle 2\xC2\xB7numel; "
    "add 3\xC2\xB7numel; split 0 (views)";
const char* kParamsHelp = "params = trainable parameters: conv K\xC2\xB7K\xC2\xB7" "C_in\xC2\xB7" "C_out/G, BN 2\xC2\xB7" "C, linear I\xC2\xB7O + O";

void toast(AppState& app, const std::string& t) {
  app.toast = t;
  app.toast_left = 3.f;
}

std::string time_cell(const Profile& p, double ms) { return p.timed ? ms_str(ms) : "-"; }

// A share as text over a bar of its size.
void share_cell(double share, ImU32 col, bool warn) {
  const ImVec2 a = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  ImGui::GetWindowDrawList()->AddRectFilled(a, ImVec2(a.x + w * float(std::min(1.0, share)), a.y + h),
                                            with_alpha(col, 0.35f), 2.f);
  const std::string t = pct(share);
  if (warn) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", t.c_str());
  else ImGui::TextUnformatted(t.c_str());
}

// [SECTION] controls

const std::vector<std::string>& compare_names() {
  static const std::vector<std::string> n = {"v2-0.5", "v2-1.0", "v2-1.5", "v2-2.0", "v1-g1-1.0",
                                             "v1-g2-1.0", "v1-g3-1.0", "v1-g4-1.0", "v1-g8-1.0", "v1-g3-0.5"};
  return n;
}

void draw_controls(AppState& app) {
  BlocksState& s = app.blocks;
  BlocksConfig& c = s.job.a;
  const float label_w = ImGui::GetFontSize() * 4.6f;
  auto label = [&](const char* t) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(t);
    ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 1.6f);
  };
  heading("Model");
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("family");
  ImGui::SameLine(label_w);
  if (ImGui::RadioButton("V1", c.version == 1) && c.version != 1) c.version = 1, c.scale = 1.f;
  ImGui::SameLine();
  if (ImGui::RadioButton("V2", c.version == 2) && c.version != 2) c.version = 2, c.scale = 1.f;
  help_marker("ShuffleNet V1 (Zhang et al. 2018): grouped 1x1 convs and channel shuffle. ShuffleNet V2 "
              "(Ma et al. 2018): channel split, plain 1x1 convs, concat and shuffle.");
  static const float v1_scales[] = {0.25f, 0.5f, 1.f, 1.5f, 2.f}, v2_widths[] = {0.5f, 1.f, 1.5f, 2.f};
  if (c.version == 1) {
    static const int gs[] = {1, 2, 3, 4, 8};
    label("groups");
    if (ImGui::BeginCombo("##groups", ("g = " + std::to_string(c.groups)).c_str())) {
      for (int g : gs)
        if (ImGui::Selectable(("g = " + std::to_string(g)).c_str(), g == c.groups)) c.groups = g;
      ImGui::EndCombo();
    }
    help_marker("g: groups of the 1x1 convolutions. More groups: fewer MAdds per channel, so V1 widens "
                "the stages to keep ~140M MAdds at scale 1 on ImageNet.");
  }
  label(c.version == 1 ? "scale" : "width");
  char cur[16];
  std::snprintf(cur, sizeof cur, "%.2gx", (double)c.scale);
  if (ImGui::BeginCombo("##scale", cur)) {
    for (float v : c.version == 1 ? std::vector<float>(v1_scales, v1_scales + 5) : std::vector<float>(v2_widths, v2_widths + 4)) {
      char t[16];
      std::snprintf(t, sizeof t, "%.2gx", (double)v);
      if (ImGui::Selectable(t, v == c.scale)) c.scale = v;
    }
    ImGui::EndCombo();
  }
  help_marker(c.version == 1 ? "scale: stage channels = int(table \xC2\xB7 scale) (docs/models.md)"
                             : "width: V2's channel multiplier; stage channels from docs/models.md's table");
  label("input");
  int variant = c.imagenet ? 1 : 0;
  if (ImGui::Combo("##variant", &variant, "CIFAR 32x32\0ImageNet 224x224\0")) c.imagenet = variant == 1;
  help_marker("The variant: CIFAR keeps the stem at stride 1 and has no max-pool; ImageNet is the papers' network.");
  label("batch");
  static const int batches[] = {1, 2, 4, 8, 16, 32};
  if (ImGui::BeginCombo("##batch", std::to_string(c.batch).c_str())) {
    for (int b : batches)
      if (ImGui::Selectable(std::to_string(b).c_str(), b == c.batch)) c.batch = b;
    ImGui::EndCombo();
  }
  help_marker("N: images per forward pass. MAdds and activation MAC grow with N; weights are read once.");

  ImGui::Spacing();
  heading("Backend");
  static const std::string no_cuda = cuda_unavailable_reason();
  if (ImGui::RadioButton("CPU", !c.cuda)) c.cuda = false;
  ImGui::SameLine();
  ImGui::BeginDisabled(!no_cuda.empty());
  if (ImGui::RadioButton("CUDA", c.cuda)) c.cuda = true;
  ImGui::EndDisabled();
  if (!no_cuda.empty()) {
    ImGui::PushTextWrapPos(0.f);
    // The registry's reason without its prefix and its command-line advice.
    std::string why = no_cuda.substr(no_cuda.rfind("device cuda: ", 0) == 0 ? 13 : 0);
    why = why.substr(0, why.find("; use"));
    ImGui::TextDisabled("CUDA is off: %s", why.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::BeginDisabled(c.cuda);
  label("threads");
  int threads = c.threads > 0 ? c.threads : cpu_cores();
  if (ImGui::SliderInt("##threads", &threads, 1, cpu_cores())) c.threads = threads;
  ImGui::EndDisabled();
  help_marker("CPU threads of the OpenMP kernels for this profile (the app's own thread is not used).");

  ImGui::Spacing();
  heading("Compare");
  if (ImGui::Checkbox("with", &s.job.compare) && s.job.compare) s.right_tab_request = 3;
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
  help_marker("A second model, profiled with the same input, batch and backend.");
  // The second model always shares the first one's input, batch and backend.
  s.job.b.imagenet = c.imagenet;
  s.job.b.batch = c.batch;
  s.job.b.cuda = c.cuda;
  s.job.b.threads = c.threads;

  ImGui::Spacing();
  if (s.worker.busy()) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().accent), "profiling %s ...", c.model_name().c_str());
  } else if (s.have_result && s.shown.error.empty()) {
    ImGui::TextDisabled("profiled in %.2f s", s.shown.seconds);
    if (ImGui::SmallButton("measure again")) s.remeasure();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Run the same forward passes again: a warm-up, then %d timed runs", s.job.repeats);
  }
}

void draw_totals(AppState& app) {
  const BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  heading(("Totals of " + p.model).c_str());
  value_with_help("params", grouped(p.params), kParamsHelp);
  value_with_help("MAdds ", grouped(p.madds), kMaddsHelp);
  value_with_help("MAC   ", grouped(p.mac), kMacHelp);
  value_with_help("time  ", ms_str(p.time_ms) + " ms", kTimeHelp);
  value_with_help("runs  ", ms_str(p.time_min_ms) + " .. " + ms_str(p.time_max_ms),
                  "fastest .. slowest of the timed forward passes, each the sum of its ops' times; the time above "
                  "sums each op's median, so it can be below the fastest pass");
  if (p.time_min_ms > 0 && p.time_max_ms > 1.5 * p.time_min_ms) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn),
                       "The slowest pass took %.1fx the fastest: the machine is busy, times may mislead.",
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
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", pct(cs.blind_time_share).c_str());
  ImGui::PopFont();
  help_marker("share = time of the ops with 0 MAdds / time of all ops (sums of medians). The V2 paper's Fig. 2 "
              "measured the same on a GPU and an ARM phone; this is this machine's backend.");
  ImGui::SameLine(0, 6);
  ImGui::TextUnformatted(cs.line.substr(pct(cs.blind_time_share).size() + 1).c_str());
  ImGui::PopTextWrapPos();
}

// [SECTION] unit

void draw_unit(AppState& app) {
  BlocksState& s = app.blocks;
  const bool v1 = s.shown.job.a.version == 1;
  const bool twin = s.figure == UnitFigure::v1_a;
  const Profile& p = twin ? s.shown.bottleneck : s.shown.a;
  std::vector<UnitFigure> figs = v1 ? std::vector<UnitFigure>{UnitFigure::v1_a, UnitFigure::v1_b, UnitFigure::v1_c}
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
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", figure_caption(f));
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
  ImGui::TextDisabled("%s", figure_caption(s.figure));
  ImGui::PopTextWrapPos();
  if (twin) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("Drawn from %s (g = 1), which has this unit; no ReLU after the depthwise conv, as "
                        "ShuffleNet builds it.", p.model.c_str());
    ImGui::PopTextWrapPos();
  }
  const UnitGraph g = build_unit_graph(p, s.unit_block, s.figure);
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.y = std::max(avail.y - 2, 240 * app.scale);
  draw_unit_graph(app, p, g, avail, !twin);
}

// [SECTION] table

void header_row(const char* const* names, const char* const* helps, int n) {
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int i = 0; i < n; ++i) {
    if (!ImGui::TableSetColumnIndex(i)) continue;
    ImGui::TableHeader(names[i]);
    if (helps[i] && ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.f);
      ImGui::TextUnformatted(helps[i]);
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  }
}

void draw_table(AppState& app) {
  BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  int level = (int)s.level;
  ImGui::RadioButton("layers", &level, 0);
  ImGui::SameLine();
  ImGui::RadioButton("blocks", &level, 1);
  ImGui::SameLine();
  ImGui::RadioButton("stages", &level, 2);
  s.level = (TableLevel)level;
  std::vector<TableRow> rows = table_rows(p, s.level);
  ImGui::SameLine(0, 18);
  ImGui::TextDisabled("copy as");
  ImGui::SameLine();
  if (ImGui::SmallButton("CSV")) {
    ImGui::SetClipboardText(table_text(p, rows, false).c_str());
    toast(app, "copied the " + p.model + " table as CSV");
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Markdown")) {
    ImGui::SetClipboardText(table_text(p, rows, true).c_str());
    toast(app, "copied the " + p.model + " table as a Markdown table");
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("PNG")) app.png_request = "shufflelab-blocks-" + p.model + ".png";
  help_marker("Click a header to sort; click a row to select it (and its unit in the figure). "
              "Rows in orange do no MAdds but take measurable time.");

  static const char* names[] = {"name", "kind", "%MAdds", "%MAC", "%time", "MAdds (?)", "MAC (?)", "ms (?)",
                                "params (?)", "output"};
  static const char* helps[] = {nullptr, "nn/cost's short label of the op",
                                "share of MAdds = row MAdds / network MAdds",
                                "share of MAC = row MAC / network MAC",
                                "share of time = row time / network time (sums of medians); orange: 0 MAdds but "
                                "measurable time",
                                kMaddsHelp, kMacHelp, kTimeHelp, kParamsHelp, "output shape N x C x H x W"};
  static const TableColumn cols[] = {TableColumn::name, TableColumn::kind, TableColumn::share_madds,
                                     TableColumn::share_mac, TableColumn::share_time, TableColumn::madds,
                                     TableColumn::mac, TableColumn::time, TableColumn::params, TableColumn::shape};
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_Sortable | ImGuiTableFlags_SortTristate |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_Resizable;
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  if (!ImGui::BeginTable("net", 10, flags, ImVec2(0, ImGui::GetContentRegionAvail().y - row_h * 1.4f))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  const float em = ImGui::GetFontSize();
  for (int i = 0; i < 10; ++i) {
    const float w = i == 0 ? em * (s.level == TableLevel::layers ? 8.8f : 5.f)
                    : i == 1 ? em * 5.2f
                    : i >= 2 && i <= 4 ? em * 3.8f
                    : 0.f;  // 0: fit the contents
    ImGui::TableSetupColumn(names[i], i == 0 ? ImGuiTableColumnFlags_NoHide : 0, w, (ImGuiID)cols[i]);
  }
  if (ImGuiTableSortSpecs* ss = ImGui::TableGetSortSpecs()) {
    if (ss->SpecsCount > 0) {
      s.sort_col = (TableColumn)ss->Specs[0].ColumnUserID;
      s.sort_ascending = ss->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    } else {
      s.sort_col = TableColumn::order;
      s.sort_ascending = true;
    }
  }
  sort_rows(rows, s.sort_col, s.sort_ascending);
  header_row(names, helps, 10);
  const Ink& k = ink();
  for (const TableRow& r : rows) {
    ImGui::TableNextRow();
    const bool sel = s.selected_first >= 0 && r.first_layer < s.selected_first + s.selected_count &&
                     s.selected_first < r.first_layer + r.num_layers;
    if (sel) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, k.accent_soft);
    ImGui::TableNextColumn();
    if (sel && s.scroll_to_selection) {
      ImGui::SetScrollHereY(0.3f);
      s.scroll_to_selection = false;
    }
    if (ImGui::Selectable(r.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
      s.selected_first = r.first_layer;
      s.selected_count = r.num_layers;
      // Show the row's unit in the figure when it is one.
      const std::string blk = block_of(p.layers[(size_t)r.first_layer].name);
      for (int b = 0; b < (int)p.blocks.size(); ++b)
        if (p.blocks[(size_t)b].name == blk && blk.rfind("stage", 0) == 0) {
          s.figure = figure_of_block(p, b);
          s.unit_block = b;
        }
    }
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.kind.c_str());
    ImGui::TableNextColumn();
    share_cell(r.share_madds, k.accent, false);
    ImGui::TableNextColumn();
    share_cell(r.share_mac, k.dim, false);
    ImGui::TableNextColumn();
    share_cell(r.share_time, r.free_but_slow ? k.warn : k.accent, r.free_but_slow);
    ImGui::TableNextColumn();
    if (r.madds) ImGui::TextUnformatted(grouped(r.madds).c_str());
    else ImGui::TextDisabled("0");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(grouped(r.mac).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(time_cell(p, r.time_ms).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(grouped(r.params).c_str());
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", r.shape.c_str());
  }
  ImGui::EndTable();
  ImGui::PushFont(fonts().bold);
  ImGui::Text("total   %s MAdds   %s MAC   %s ms   %s params", si((double)p.madds).c_str(), si((double)p.mac).c_str(),
              time_cell(p, p.time_ms).c_str(), si((double)p.params).c_str());
  ImGui::PopFont();
  help_marker("Sums over every layer of the forward pass: the same numbers as `shufflelab profile`.");
}

// [SECTION] categories

void stacked_bar(const char* label, const CategorySummary& cs, double CategoryRow::*share, float w) {
  const float h = ImGui::GetTextLineHeight() * 1.5f, lw = ImGui::GetFontSize() * 4.f;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(lw);
  const ImVec2 a = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float x = a.x;
  const float bw = w - lw;
  for (const CategoryRow& r : cs.rows) {
    const float seg = bw * float(r.*share);
    if (seg <= 0) continue;
    dl->AddRectFilled(ImVec2(x, a.y), ImVec2(x + seg, a.y + h), blocks_category_color(r.category));
    if (ImGui::IsMouseHoveringRect(ImVec2(x, a.y), ImVec2(x + seg, a.y + h)))
      ImGui::SetTooltip("%s: %s", r.category.c_str(), pct(r.*share).c_str());
    const std::string t = pct(r.*share);
    if (ImGui::CalcTextSize(t.c_str()).x + 6 < seg)
      dl->AddText(ImVec2(x + 3, a.y + (h - ImGui::GetTextLineHeight()) * 0.5f),
                  text_color_on(blocks_category_color(r.category)), t.c_str());
    x += seg;
  }
  dl->AddRect(a, ImVec2(a.x + bw, a.y + h), ink().border);
  ImGui::Dummy(ImVec2(bw, h));
}

void draw_categories(AppState& app) {
  const BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  const CategorySummary cs = summarize_categories(p, s.shown.job.a.backend());
  ImGui::TextDisabled("Shares of the network's MAdds, MAC and time by op category, like the V2 paper's Fig. 2");
  help_marker("share = sum over the category's ops / sum over all ops; time: sums of each op's median");
  const float w = ImGui::GetContentRegionAvail().x;
  stacked_bar("MAdds", cs, &CategoryRow::share_madds, w);
  stacked_bar("MAC", cs, &CategoryRow::share_mac, w);
  stacked_bar("time", cs, &CategoryRow::share_time, w);
  ImGui::Spacing();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("cats", 7, flags)) return;
  static const char* names[] = {"category", "ops", "MAdds (?)", "MAC (?)", "ms (?)", "%MAdds", "%time"};
  static const char* helps[] = {"nn/cost's LayerCost::category", "layers of this category in the network",
                                kMaddsHelp, kMacHelp, kTimeHelp, "category MAdds / network MAdds",
                                "category time / network time"};
  for (int i = 0; i < 7; ++i) ImGui::TableSetupColumn(names[i], 0, i == 0 ? 2.2f : 1.f);
  header_row(names, helps, 7);
  for (const CategoryRow& r : cs.rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(a.x, a.y + 2), ImVec2(a.x + h - 4, a.y + h - 2),
                                              blocks_category_color(r.category), 2.f);
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(r.category.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", r.layers);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(si((double)r.madds).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(si((double)r.mac).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ms_str(r.time_ms).c_str());
    ImGui::TableNextColumn();
    share_cell(r.share_madds, ink().accent, false);
    ImGui::TableNextColumn();
    share_cell(r.share_time, r.flops_blind ? ink().warn : ink().accent, r.flops_blind);
  }
  ImGui::EndTable();
}

// [SECTION] formulas

void formula_card(const char* title, const char* formula, const std::string& values, int64_t result,
                  const char* help, bool highlight, float width) {
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  heading(title);
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted(formula);
  ImGui::PopFont();
  ImGui::TextDisabled("%s", values.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PushFont(fonts().title);
  if (highlight) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().good), "%s", grouped(result).c_str());
  else ImGui::TextUnformatted(grouped(result).c_str());
  ImGui::PopFont();
  help_marker(help);
  ImGui::EndGroup();
}

void draw_formulas(AppState& app) {
  BlocksState& s = app.blocks;
  // The article's formulas describe a V1 stride-1 unit: model a when it is V1, else model b.
  const bool a_v1 = s.shown.job.a.version == 1;
  const bool b_v1 = s.shown.job.compare && s.shown.job.b.version == 1;
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled("The seed article's FLOPs of one unit with input h x w x c and bottleneck m (MAdds, batch n):");
  ImGui::PopTextWrapPos();
  if (a_v1 || b_v1) {
    const Profile& p = a_v1 ? s.shown.a : s.shown.b;
    const int groups = a_v1 ? s.shown.job.a.groups : s.shown.job.b.groups;
    int block = a_v1 && s.figure == UnitFigure::v1_b ? s.unit_block : -1;
    if (block < 0) {
      const std::vector<int> u = unit_blocks(p, UnitFigure::v1_b);
      for (int b : u)
        if (block < 0 && p.blocks[(size_t)b].name.rfind("stage3.", 0) == 0) block = b;
    }
    const UnitFormulas f = v1_unit_formulas(p, block, groups);
    if (!f.ok) {
      ImGui::TextUnformatted(f.why_not.c_str());
      return;
    }
    ImGui::Text("%s unit %s:", p.model.c_str(), f.block.c_str());
    ImGui::SameLine();
    ImGui::PushFont(fonts().mono);
    ImGui::Text("n=%lld h=%lld w=%lld c=%lld m=%lld g=%lld", (long long)f.n, (long long)f.h, (long long)f.w,
                (long long)f.c, (long long)f.m, (long long)f.g);
    ImGui::PopFont();
    help_marker("read from nn/cost's output shapes of the unit's convolutions: gconv1 gives [n, m, h, w], "
                "gconv2 gives [n, c, h, w]; g is the model's groups");
    ImGui::Spacing();
    char v[160];
    const float col = ImGui::GetContentRegionAvail().x / 3.f;
    const float x0 = ImGui::GetCursorPosX();
    std::snprintf(v, sizeof v, "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld + 9\xC2\xB7%lld\xC2\xB2)",
                  (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m, (long long)f.m);
    formula_card("ResNet", "hw(2cm + 9m\xC2\xB2)", v, f.resnet,
                 "1x1 conv c->m, 3x3 conv m->m, 1x1 conv m->c: hw\xC2\xB7" "cm + hw\xC2\xB7" "9m\xC2\xB2 + hw\xC2\xB7mc", false,
                 col - 12);
    ImGui::SameLine(x0 + col);
    std::snprintf(v, sizeof v, "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld + 9\xC2\xB7%lld\xC2\xB2/%lld)",
                  (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m, (long long)f.m,
                  (long long)f.g);
    formula_card("ResNeXt", "hw(2cm + 9m\xC2\xB2/g)", v, f.resnext,
                 "the 3x3 conv split into g groups: each output channel sees m/g inputs", false, col - 12);
    ImGui::SameLine(x0 + 2 * col);
    std::snprintf(v, sizeof v, "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld/%lld + 9\xC2\xB7%lld)",
                  (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m, (long long)f.g,
                  (long long)f.m);
    formula_card("ShuffleNet", "hw(2cm/g + 9m)", v, f.shufflenet,
                 "both 1x1 convs grouped (cm/g each), the 3x3 conv depthwise (9m)", f.shufflenet == f.measured,
                 col - 12);
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Text("nn/cost measured %s's convolutions (gconv1 + dwconv + gconv2):", f.block.c_str());
    ImGui::PushFont(fonts().mono);
    ImGui::Text("%s + %s + %s = %s", grouped(f.measured_conv[0]).c_str(), grouped(f.measured_conv[1]).c_str(),
                grouped(f.measured_conv[2]).c_str(), grouped(f.measured).c_str());
    ImGui::PopFont();
    help_marker("gconv1 + dwconv + gconv2 multiply-adds, each N\xC2\xB7H_out\xC2\xB7W_out\xC2\xB7" "C_out\xC2\xB7(C_in/G)\xC2\xB7K\xC2\xB7K, "
                "as recorded during the real forward pass");
    const bool eq = f.measured == f.shufflenet;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(eq ? ink().good : ink().warn), "%s",
                       eq ? "= the ShuffleNet formula, to the multiply-add" : "differs from the ShuffleNet formula");
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("At the same c and m, the ShuffleNet unit needs %s of ResNet's and %s of ResNeXt's MAdds, "
                        "so at a fixed budget it can afford wider feature maps.",
                        pct((double)f.shufflenet / (double)f.resnet).c_str(),
                        pct((double)f.shufflenet / (double)f.resnext).c_str());
    ImGui::PopTextWrapPos();
  } else {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted("ResNet hw(2cm + 9m\xC2\xB2), ResNeXt hw(2cm + 9m\xC2\xB2/g) and ShuffleNet hw(2cm/g + 9m) "
                           "describe V1-style bottleneck units: pick a V1 model, or compare with one, to see them live.");
    ImGui::PopTextWrapPos();
  }
  if (!a_v1) {
    int block = s.figure == UnitFigure::v2_c ? s.unit_block : -1;
    if (block < 0) {
      const std::vector<int> u = unit_blocks(s.shown.a, UnitFigure::v2_c);
      block = u.size() > 4 ? u[4] : u.empty() ? -1 : u[0];
    }
    const V2Formula f = v2_unit_formula(s.shown.a, block);
    if (!f.ok) return;
    ImGui::Spacing();
    ImGui::Separator();
    heading(("ShuffleNet V2 basic unit, " + s.shown.a.model + " " + f.block).c_str());
    ImGui::PushFont(fonts().mono);
    ImGui::Text("hw(2b\xC2\xB2 + 9b) = %lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB2 + 9\xC2\xB7%lld) = %s",
                (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.b, (long long)f.b, grouped(f.formula).c_str());
    ImGui::Text("nn/cost measured                = %s", grouped(f.measured).c_str());
    ImGui::PopFont();
    help_marker("b = c/2 channels go through the right branch (1x1 conv b->b, 3x3 depthwise, 1x1 conv b->b); "
                "the split half passes through with 0 MAdds but its concat and shuffle still move memory");
  }
}

// [SECTION] compare

void draw_compare(AppState& app) {
  BlocksState& s = app.blocks;
  if (!s.shown.job.compare) {
    ImGui::TextDisabled("Tick \"Compare with\" on the left to profile a second model beside this one.");
    return;
  }
  const Profile &a = s.shown.a, &b = s.shown.b;
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextUnformatted(compare_line(a, b).c_str());
  ImGui::PopTextWrapPos();
  help_marker("difference = time(b) - time(a), each the sum of its ops' medians on the same backend, input and batch");
  ImGui::TextDisabled("copy as");
  ImGui::SameLine();
  if (ImGui::SmallButton("CSV##cmp")) {
    ImGui::SetClipboardText(compare_text(a, b, false).c_str());
    toast(app, "copied the comparison as CSV");
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Markdown##cmp")) {
    ImGui::SetClipboardText(compare_text(a, b, true).c_str());
    toast(app, "copied the comparison as a Markdown table");
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingStretchProp;
  // Totals side by side: a = the model on the left, b = the one compared with.
  ImGui::Spacing();
  if (ImGui::BeginTable("cmp_totals", 4, flags)) {
    const std::string ha = "a  " + a.model, hb = "b  " + b.model;
    const char* names[] = {"", ha.c_str(), hb.c_str(), "b / a"};
    static const char* helps[] = {nullptr, nullptr, nullptr, "b's number divided by a's"};
    for (int i = 0; i < 4; ++i) ImGui::TableSetupColumn(names[i], 0, i == 0 ? 0.8f : 1.f);
    header_row(names, helps, 4);
    auto row = [&](const char* what, const char* help, const std::string& va, const std::string& vb, double ratio) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(what);
      help_marker(help);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(va.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(vb.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.2fx", ratio);
    };
    auto ratio = [](double x, double y) { return y > 0 ? x / y : 0.0; };
    row("params", kParamsHelp, grouped(a.params), grouped(b.params), ratio((double)b.params, (double)a.params));
    row("MAdds", kMaddsHelp, grouped(a.madds), grouped(b.madds), ratio((double)b.madds, (double)a.madds));
    row("MAC", kMacHelp, grouped(a.mac), grouped(b.mac), ratio((double)b.mac, (double)a.mac));
    row("time ms", kTimeHelp, ms_str(a.time_ms), ms_str(b.time_ms), ratio(b.time_ms, a.time_ms));
    row("runs ms", "fastest .. slowest timed forward pass of each model: when these ranges overlap, the "
                   "time difference is within the machine's noise",
        ms_str(a.time_min_ms) + " .. " + ms_str(a.time_max_ms), ms_str(b.time_min_ms) + " .. " + ms_str(b.time_max_ms),
        ratio(b.time_min_ms, a.time_min_ms));
    ImGui::EndTable();
  }
  ImGui::Spacing();
  heading("per stage");
  const ImGuiTableFlags stage_flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                      ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("cmp", 8, stage_flags, ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return;
  static const char* names[] = {"stage", "MAdds a", "MAdds b", "MAC a", "MAC b", "ms a", "ms b", "b - a ms"};
  static const char* helps[] = {nullptr, kMaddsHelp, kMaddsHelp, kMacHelp, kMacHelp, kTimeHelp, kTimeHelp,
                                "time(b) - time(a): negative (green) where b is faster"};
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int i = 0; i < 8; ++i) ImGui::TableSetupColumn(names[i]);
  header_row(names, helps, 8);
  for (const CompareRow& r : compare_rows(a, b)) {
    const bool total = r.name == "total";
    ImGui::TableNextRow();
    if (total) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ink().accent_soft);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name.c_str());
    auto cell = [&](bool in, const std::string& t) {
      ImGui::TableNextColumn();
      if (in) ImGui::TextUnformatted(t.c_str());
      else ImGui::TextDisabled("-");
    };
    cell(r.in[0], si((double)r.madds[0]));
    cell(r.in[1], si((double)r.madds[1]));
    cell(r.in[0], si((double)r.mac[0]));
    cell(r.in[1], si((double)r.mac[1]));
    cell(r.in[0], ms_str(r.time_ms[0]));
    cell(r.in[1], ms_str(r.time_ms[1]));
    ImGui::TableNextColumn();
    const double d = (r.in[1] ? r.time_ms[1] : 0) - (r.in[0] ? r.time_ms[0] : 0);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(d <= 0 ? ink().good : ink().warn), "%+.3f", d);
  }
  ImGui::EndTable();
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
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "error: %s", s.shown.error.c_str());
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
  const float mid_w = std::clamp((total_w - left_w) * 0.38f, 280 * sc, 460 * sc);
  ImGui::BeginChild("blocks_unit", ImVec2(mid_w, 0), true);
  draw_unit(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("blocks_right", ImVec2(0, 0), true);
  draw_finding(app);
  if (ImGui::BeginTabBar("blocks_tabs")) {
    static const char* tabs[] = {"Network", "By category", "FLOPs formulas", "Compare"};
    void (*draw[])(AppState&) = {draw_table, draw_categories, draw_formulas, draw_compare};
    for (int t = 0; t < 4; ++t) {
      const ImGuiTabItemFlags f = s.right_tab_request == t ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(tabs[t], nullptr, f)) {
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
