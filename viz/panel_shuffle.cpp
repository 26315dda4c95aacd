// viz/panel_shuffle.cpp - the Shuffle panel: the controls (the article's example, C, G,
// N, H, W, playback, the stops, the followed channel, the result) and the layout of the
// whole panel: wide windows put the controls on the left; narrow ones stack everything
// in one scrolling page. The scrub bar and step cards are panel_shuffle_steps.cpp, the
// animated canvas panel_shuffle_canvas.cpp, Fig. 1 and the inverse panel_shuffle_fig1.cpp.
// Every number comes from the real tensors in ShuffleState (shuffle_state.h).
//
// [SECTION] index
//   controls       the article preset, C, G, N, H, W, playback, the stops, the followed channel
//   panel          wide and stacked layouts
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>

#include "viz/i18n.h"
#include "viz/panel_shuffle.h"

namespace sl::viz {

// [SECTION] controls

static void draw_tensor_controls(AppState& app) {
  ShuffleState& s = app.shuffle;
  ShuffleConfig cfg = s.cfg;
  heading(tr("Tensor"));
  const bool is_article = cfg == article_example();
  if (ImGui::Button(
          (std::string(is_article ? "\xE2\x9C\x93 " : "") + trid("Article example")).c_str(),
          ImVec2(-FLT_MIN, 0)))
    cfg = article_example();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s",
                      tr("The article's worked example: x of shape [N, C, H, W] = [2, 4, 2, 2], "
                         "shuffled with G = 2.\nThe same default as `shufflelab shuffle` and "
                         "lesson 01."));
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 4.2f);
  ImGui::SliderInt("C", &cfg.C, 2, kMaxChannels, tr("%d channels"));
  help_marker(tr("C: channels of x. A ShuffleNet stage has C in the hundreds; 2..64 here, so that "
                 "each channel stays visible."));
  const std::vector<int> divs = divisors(cfg.C);
  cfg.g = closest_divisor(cfg.C, cfg.g);
  char preview[64];
  std::snprintf(preview, sizeof preview, tr(cfg.g == 1 ? "%d group" : "%d groups"), cfg.g);
  if (ImGui::BeginCombo("G", preview)) {
    for (int d : divs) {
      char item[80];
      std::snprintf(item, sizeof item, tr(d == 1 ? "%d group of %d" : "%d groups of %d"), d,
                    cfg.C / d);
      if (ImGui::Selectable(item, d == cfg.g)) cfg.g = d;
    }
    ImGui::EndCombo();
  }
  help_marker(tr("G: groups of the group convolution. Only divisors of C are offered: each group "
                 "holds C/G channels."));
  ImGui::PopItemWidth();
  // H and W side by side, each a combo of 1..4.
  static const char* sides[] = {"1", "2", "3", "4"};
  const ImGuiStyle& style = ImGui::GetStyle();
  const float tail = style.ItemInnerSpacing.x + ImGui::CalcTextSize("H x W").x + 4 +
                     ImGui::CalcTextSize("(?)").x + 2;
  const float half = (ImGui::GetContentRegionAvail().x - tail - style.ItemInnerSpacing.x -
                      ImGui::CalcTextSize("x").x - style.ItemSpacing.x) *
                     0.5f;
  int h_i = cfg.H - 1, w_i = cfg.W - 1;
  ImGui::SetNextItemWidth(std::max(half, ImGui::GetFontSize() * 2.f));
  if (ImGui::Combo("x##H", &h_i, sides, kMaxSide)) cfg.H = h_i + 1;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(half, ImGui::GetFontSize() * 2.f));
  if (ImGui::Combo("H x W", &w_i, sides, kMaxSide)) cfg.W = w_i + 1;
  help_marker(tr("Spatial size H x W: each channel holds H\xC2\xB7W floats, stored next to each "
                 "other, so a channel moves as one run of H\xC2\xB7W floats."));
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("N");
  ImGui::SameLine(ImGui::GetFontSize() * 2.f);
  ImGui::RadioButton(trid("1 sample").c_str(), &cfg.N, 1);
  ImGui::SameLine();
  ImGui::RadioButton("2", &cfg.N, 2);
  help_marker(
      tr("N: batch size. Samples never mix: each sample's channels are shuffled on their own."));
  if (!(cfg == s.cfg)) s.configure(cfg);
  const ShuffleConfig& c = s.cfg;
  value_with_help(tr("numel"),
                  std::to_string(c.N * c.C * c.H * c.W) + std::string(" ") + tr("floats"),
                  "numel = N\xC2\xB7"
                  "C\xC2\xB7H\xC2\xB7W");
}

static void draw_playback_controls(AppState& app) {
  ShuffleState& s = app.shuffle;
  heading(tr("Playback"));
  ShuffleClock& clock = s.clock;
  const float gap = 4 * app.scale;
  const float bw =
      std::min(ImGui::GetFontSize() * 2.1f, (ImGui::GetContentRegionAvail().x - 4 * gap) / 6.3f);
  if (ImGui::Button("|\xE2\x97\x80", ImVec2(bw, 0))) clock.go_to(0);
  ImGui::SameLine(0, gap);
  if (ImGui::Button("\xE2\x97\x80", ImVec2(bw, 0))) clock.step(-1);
  ImGui::SameLine(0, gap);
  const std::string play = clock.playing ? std::string("||  ") + tr("Pause")
                                         : std::string("\xE2\x96\xB6  ") + tr("Play");
  if (ImGui::Button((play + "###play").c_str(), ImVec2(bw * 2.3f, 0))) clock.toggle_play();
  ImGui::SameLine(0, gap);
  if (ImGui::Button("\xE2\x96\xB6", ImVec2(bw, 0))) clock.step(+1);
  ImGui::SameLine(0, gap);
  if (ImGui::Button("\xE2\x96\xB6|", ImVec2(bw, 0))) clock.go_to(clock.stops - 1);
  ImGui::PushItemWidth(-(ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tr("speed")).x +
                         4 + ImGui::CalcTextSize("(?)").x + 2));
  ImGui::SliderFloat(trid("speed").c_str(), &clock.speed, 0.25f, 4.f, tr("%.2f steps/s"));
  ImGui::PopItemWidth();
  help_marker(
      tr("Animation speed in steps per second. Space plays or pauses; the arrow keys step."));
  bool fail = s.fail_stop;
  if (ImGui::Checkbox(trid("stop at the view that fails").c_str(), &fail)) s.show_fail_stop(fail);
  help_marker(tr("Adds a stop between steps 2 and 3: the last view tried on t without "
                 "contiguous(), and the library's own error message."));

  ImGui::Spacing();
  const int now = clock.nearest();
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8 * app.scale, 3 * app.scale));
  for (int k = 0; k < clock.stops; ++k) {
    const bool fail_row =
        s.fail_stop && k == kFailStop;  // "✗  view fails": the view without contiguous()
    const ShuffleStep& st = s.model.steps[step_of_stop(k, s.fail_stop)];
    char label[80];
    std::snprintf(label, sizeof label, "%s   %s##stop%d", stop_number(s, k).c_str(),
                  stop_label(s, k), k);
    if (ImGui::Selectable(label, k == now)) clock.go_to(k);
    const char* badge = fail_row ? tr(s.model.view_error.empty() ? "works" : "error")
                        : step_of_stop(k, s.fail_stop) == 0 ? tr("input")
                        : st.bytes > 0                      ? tr("copies")
                                                            : tr("no copy");
    const ImU32 col = fail_row                            ? ink().warn
                      : step_of_stop(k, s.fail_stop) == 0 ? ink().dim
                      : st.bytes > 0                      ? ink().warn
                                                          : ink().good;
    ImGui::SameLine(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(badge).x);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(col), "%s", badge);
  }
  ImGui::PopStyleVar();
  ImGui::TextDisabled("%s", tr("copy as"));
  flow(ImGui::CalcTextSize("Markdown").x + 2 * ImGui::GetStyle().FramePadding.x, false);
  if (ImGui::SmallButton("Markdown")) {
    ImGui::SetClipboardText(steps_table(s.model, true).c_str());
    app.toast = tr("copied the steps as a Markdown table");
    app.toast_left = 3.f;
  }
  flow(ImGui::CalcTextSize("CSV").x + 2 * ImGui::GetStyle().FramePadding.x, false);
  if (ImGui::SmallButton("CSV")) {
    ImGui::SetClipboardText(steps_table(s.model, false).c_str());
    app.toast = tr("copied the steps as CSV");
    app.toast_left = 3.f;
  }
}

static void draw_followed(AppState& app) {
  ShuffleState& s = app.shuffle;
  const ShuffleConfig& c = s.cfg;
  heading(tr("Followed channel"));
  if (s.selected < 0) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("%s", tr("Click any channel to follow it."));
    ImGui::PopTextWrapPos();
    return;
  }
  const int Cg = c.C / c.g, ch = s.selected;
  ImGui::SameLine(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(tr("stop")).x -
                  ImGui::GetStyle().FramePadding.x);
  if (ImGui::SmallButton(trid("stop").c_str())) s.selected = -1;
  ImGui::Text(tr("channel %d of sample %d"), ch, s.selected_n);
  ImGui::SameLine();
  ImGui::TextDisabled(tr("group %d, #%d of %d"), ch / Cg, ch % Cg, Cg);
  help_marker(tr("index: where the channel sits in the step's shape: [c] for [N, C, H, W], "
                 "[row][col] for the grid of channel axes. slot: which run of H\xC2\xB7W floats "
                 "of which buffer (x's or y's) holds it; its floats start at offset "
                 "(n\xC2\xB7"
                 "C + slot)\xC2\xB7H\xC2\xB7W."));
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(4 * app.scale, 1 * app.scale));
  if (ImGui::BeginTable("path", 3, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn(tr("step"));
    ImGui::TableSetupColumn(tr("index"));
    ImGui::TableSetupColumn(tr("slot"));
    ImGui::TableHeadersRow();
    for (int k = 0; k < kShuffleSteps; ++k) {
      const GridCell cell = channel_cell(c, k, ch);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%d %s", k, s.model.steps[k].op.c_str());
      ImGui::TableNextColumn();
      if (k == 0 || k == 4)
        ImGui::Text("[%d]", cell.col);
      else
        ImGui::Text("[%d][%d]", cell.row, cell.col);
      ImGui::TableNextColumn();
      const bool in_y = k >= 3 && s.model.steps[3].bytes > 0;  // else x's buffer
      ImGui::Text("%s %d", in_y ? "y" : "x", channel_slot(c, k, ch));
    }
    ImGui::EndTable();
  }
  ImGui::PopStyleVar();
}

static void draw_result(AppState& app) {
  const ShuffleState& s = app.shuffle;
  heading(tr("Result"));
  help_marker(tr("order[j] = input channel at output channel j = (j mod G)\xC2\xB7"
                 "C/G + \xE2\x8C\x8Aj/G\xE2\x8C\x8B, "
                 "the same in every sample"));
  std::string order;
  for (int j = 0; j < (int)s.model.order.size(); ++j) {
    if (j) order += ' ';
    order += std::to_string(s.model.order[j]);
  }
  ImGui::PushTextWrapPos(0.f);
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted(order.c_str());
  ImGui::PopFont();
  ImGui::TextColored(
      ImGui::ColorConvertU32ToFloat4(s.model.matches_core_op ? ink().good : ink().warn), "%s",
      s.model.matches_core_op ? tr("\xE2\x9C\x93 equals sl::channel_shuffle(x, G)")
                              : tr("\xE2\x9C\x97 differs from sl::channel_shuffle"));
  ImGui::PopTextWrapPos();
}

static void draw_controls(AppState& app) {
  draw_tensor_controls(app);
  ImGui::Spacing();
  ImGui::Separator();
  draw_playback_controls(app);
  ImGui::Spacing();
  ImGui::Separator();
  draw_followed(app);
  ImGui::Spacing();
  ImGui::Separator();
  draw_result(app);
}

// [SECTION] panel

static void draw_animator(AppState& app, float min_canvas_h) {
  const float sc = app.scale;
  draw_scrub_bar(app);
  draw_stop_card(app);
  ImGui::Spacing();
  // In a small window the card keeps a readable canvas and scrolls instead.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_shuffle_canvas(app, ImVec2(avail.x, std::max(avail.y, min_canvas_h * sc)));
}

void draw_panel_shuffle(AppState& app) {
  ShuffleState& s = app.shuffle;
  s.clock.update(ImGui::GetIO().DeltaTime);
  const float sc = app.scale;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14 * sc, 12 * sc));
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  if (avail.x < 960 * sc || avail.y < 520 * sc) {
    // Stacked: one scrolling page. The animator first, at a usable height; below it the
    // controls in two columns; then Fig. 1 and the inverse.
    ImGui::BeginChild("page", ImVec2(0, 0), false);
    const float w = ImGui::GetContentRegionAvail().x;
    const float anim_h = std::clamp(avail.y - 8 * sc, 500 * sc, 640 * sc);
    ImGui::BeginChild("animator", ImVec2(0, anim_h), true);
    draw_animator(app, 230);
    ImGui::EndChild();
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(12 * sc, 10 * sc));
    if (ImGui::BeginTable("controls", 2,
                          ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV |
                              ImGuiTableFlags_BordersOuter)) {
      ImGui::TableNextColumn();
      draw_tensor_controls(app);
      ImGui::Spacing();
      draw_result(app);
      ImGui::TableNextColumn();
      draw_playback_controls(app);
      ImGui::Spacing();
      draw_followed(app);
      ImGui::EndTable();
    }
    ImGui::PopStyleVar();
    ImGui::BeginChild("fig1", ImVec2(0, 280 * sc), true);
    draw_shuffle_fig1(app);
    ImGui::EndChild();
    ImGui::BeginChild("inverse", ImVec2(w, 200 * sc), true);
    draw_shuffle_inverse(app);
    ImGui::EndChild();
    ImGui::EndChild();
    ImGui::PopStyleVar();
    return;
  }
  const float controls_w = std::clamp(avail.x * 0.25f, 270 * sc, 310 * sc);
  ImGui::BeginChild("controls", ImVec2(controls_w, 0), true);
  draw_controls(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("stage", ImVec2(0, 0), false);
  const float total_h = ImGui::GetContentRegionAvail().y;
  const float bottom_h = std::clamp(total_h * 0.26f, 170 * sc, 300 * sc);
  ImGui::BeginChild("animator", ImVec2(0, total_h - bottom_h - gap), true);
  draw_animator(app, 215);
  ImGui::EndChild();
  const float fig_w = ImGui::GetContentRegionAvail().x * 0.56f;
  ImGui::BeginChild("fig1", ImVec2(fig_w, 0), true);
  draw_shuffle_fig1(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("inverse", ImVec2(0, 0), true);
  draw_shuffle_inverse(app);
  ImGui::EndChild();
  ImGui::EndChild();
  ImGui::PopStyleVar();
}

}  // namespace sl::viz
