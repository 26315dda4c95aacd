// viz/panel_shuffle.cpp - the Shuffle panel: controls on the left; on the right the
// scrub bar, the current step's facts (C++ line, shape, strides, bytes copied), the
// animated tensor and buffers (panel_shuffle_canvas.cpp), and beside them the paper's
// Fig. 1 and the inverse shuffle (panel_shuffle_fig1.cpp). Every number comes from the
// real tensors in ShuffleState (shuffle_state.h); none is recomputed here.
//
// [SECTION] index
//   text helpers   shapes and strides as text, the per-step explanations
//   controls       C, G, N, H x W, speed, playback, the step list, the followed channel
//   scrub bar      the steps as a track with a draggable handle
//   step card      what the current step did, with a (?) formula on every number
//   panel          layout of all of the above
#include <algorithm>
#include <cmath>

#include "viz/app_state.h"

namespace sl::viz {

// [SECTION] text helpers

static const char* kStepLabels[kShuffleSteps] = {"input", "view", "transpose(1, 2)",
                                                 "contiguous()", "view"};

static const char* kStepWhy[kShuffleSteps] = {
    "x holds N\xC2\xB7" "C\xC2\xB7H\xC2\xB7W floats; every element of channel c is the value c, "
    "coloured by its group.",
    "view splits the channel axis into G groups of C/G channels: the same buffer, read with a new "
    "shape and new strides.",
    "transpose(1, 2) swaps the group axis and the channel-in-group axis: only shape and strides "
    "change. The buffer is untouched, so the tensor is no longer contiguous.",
    "contiguous() allocates a new buffer and copies every element into the transposed order: the "
    "only step where data moves.",
    "view merges the two axes back into C: the channels of the groups are now interleaved.",
};

static const char* kShapeFormula[kShuffleSteps] = {
    "shape = [N, C, H, W]", "shape = [N, G, C/G, H, W]", "shape = [N, C/G, G, H, W]",
    "shape = [N, C/G, G, H, W]", "shape = [N, C, H, W]"};

static const char* kStrideFormula[kShuffleSteps] = {
    "A contiguous tensor: stride[d] = product of the sizes after d, so [N, C, H, W] has strides "
    "(C\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1). Element (n, c, h, w) is at n\xC2\xB7s0 + c\xC2\xB7s1 + "
    "h\xC2\xB7s2 + w\xC2\xB7s3.",
    "view of a contiguous tensor: stride[d] = product of the sizes after d = "
    "(C\xC2\xB7H\xC2\xB7W, C/G\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1). Nothing is copied.",
    "transpose(1, 2) swaps stride[1] and stride[2] (highlighted). Element (n, i, j, h, w) is read "
    "at n\xC2\xB7s0 + i\xC2\xB7s1 + j\xC2\xB7s2 + h\xC2\xB7s3 + w\xC2\xB7s4 of the same buffer: "
    "strides no longer decrease, so the tensor is not contiguous.",
    "contiguous() wrote a new buffer in the logical order, so the strides are again the products "
    "of the sizes after each dim: (C\xC2\xB7H\xC2\xB7W, G\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1).",
    "view of the contiguous copy: (C\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1), as for the input.",
};

// [SECTION] controls

static void draw_controls(AppState& app) {
  ShuffleState& s = app.shuffle;
  ShuffleConfig cfg = s.cfg;
  heading("Tensor");
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 4.2f);
  ImGui::SliderInt("C", &cfg.C, 2, kMaxChannels, "%d channels");
  help_marker("C: channels of x. A ShuffleNet stage has C in the hundreds; 2..64 here, so that "
              "each channel stays visible.");
  const std::vector<int> divs = divisors(cfg.C);
  cfg.g = closest_divisor(cfg.C, cfg.g);
  if (ImGui::BeginCombo("G", (std::to_string(cfg.g) + (cfg.g == 1 ? " group" : " groups")).c_str())) {
    for (int d : divs)
      if (ImGui::Selectable((std::to_string(d) + (d == 1 ? " group of " : " groups of ") +
                             std::to_string(cfg.C / d)).c_str(),
                            d == cfg.g))
        cfg.g = d;
    ImGui::EndCombo();
  }
  help_marker("G: groups of the group convolution. Only divisors of C are offered: each group "
              "holds C/G channels.");
  static const char* sizes[] = {"1 x 1", "2 x 2", "3 x 3", "4 x 4"};
  int size_i = cfg.size - 1;
  if (ImGui::Combo("H x W", &size_i, sizes, 4)) cfg.size = size_i + 1;
  help_marker("Spatial size: each channel holds H\xC2\xB7W floats, stored next to each other, "
              "so a channel moves as one run of H\xC2\xB7W floats.");
  ImGui::PopItemWidth();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("N");
  ImGui::SameLine(ImGui::GetFontSize() * 2.f);
  ImGui::RadioButton("1 sample", &cfg.N, 1);
  ImGui::SameLine();
  ImGui::RadioButton("2", &cfg.N, 2);
  help_marker("N: batch size. Samples never mix: each sample's channels are shuffled on their own.");
  if (cfg.C != s.cfg.C || cfg.g != s.cfg.g || cfg.N != s.cfg.N || cfg.size != s.cfg.size)
    s.configure(cfg);
  const ShuffleConfig& c = s.cfg;
  value_with_help("numel", std::to_string(c.N * c.C * c.size * c.size) + " floats",
                  "numel = N\xC2\xB7" "C\xC2\xB7H\xC2\xB7W");

  ImGui::Spacing();
  ImGui::Separator();
  heading("Playback");
  ShuffleClock& clock = s.clock;
  const float bw = ImGui::GetFontSize() * 2.1f;
  if (ImGui::Button("|\xE2\x97\x80", ImVec2(bw, 0))) clock.go_to(0);
  ImGui::SameLine(0, 4);
  if (ImGui::Button("\xE2\x97\x80", ImVec2(bw, 0))) clock.step(-1);
  ImGui::SameLine(0, 4);
  if (ImGui::Button(clock.playing ? "||  Pause" : "\xE2\x96\xB6  Play", ImVec2(bw * 2.3f, 0)))
    clock.toggle_play();
  ImGui::SameLine(0, 4);
  if (ImGui::Button("\xE2\x96\xB6", ImVec2(bw, 0))) clock.step(+1);
  ImGui::SameLine(0, 4);
  if (ImGui::Button("\xE2\x96\xB6|", ImVec2(bw, 0))) clock.go_to(kShuffleSteps - 1);
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 4.2f);
  ImGui::SliderFloat("speed", &clock.speed, 0.25f, 4.f, "%.2f steps/s");
  ImGui::PopItemWidth();
  help_marker("Animation speed in steps per second. Space plays or pauses; the arrow keys step.");

  ImGui::Spacing();
  const int now = clock.nearest();
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8 * app.scale, 3 * app.scale));
  for (int k = 0; k < kShuffleSteps; ++k) {
    const ShuffleStep& st = s.model.steps[k];
    char label[64];
    std::snprintf(label, sizeof label, "%d   %s##step%d", k, kStepLabels[k], k);
    if (ImGui::Selectable(label, k == now)) clock.go_to(k);
    const char* badge = k == 0 ? "input" : st.bytes > 0 ? "copies" : "no copy";
    ImGui::SameLine(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(badge).x);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(k == 0 ? ink().dim
                                                      : st.bytes > 0 ? ink().warn
                                                                     : ink().good),
                       "%s", badge);
  }
  ImGui::PopStyleVar();
  ImGui::TextDisabled("copy the steps as");
  ImGui::SameLine();
  if (ImGui::SmallButton("Markdown")) {
    ImGui::SetClipboardText(steps_table(s.model, true).c_str());
    app.toast = "copied the steps as a Markdown table";
    app.toast_left = 3.f;
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("CSV")) {
    ImGui::SetClipboardText(steps_table(s.model, false).c_str());
    app.toast = "copied the steps as CSV";
    app.toast_left = 3.f;
  }

  ImGui::Spacing();
  ImGui::Separator();
  heading("Followed channel");
  if (s.selected < 0) {
    ImGui::TextDisabled("Click any channel to follow it.");
  } else {
    const int Cg = c.C / c.g, ch = s.selected;
    ImGui::SameLine(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("stop").x -
                    ImGui::GetStyle().FramePadding.x);
    if (ImGui::SmallButton("stop")) s.selected = -1;
    ImGui::Text("channel %d of sample %d", ch, s.selected_n);
    ImGui::SameLine();
    ImGui::TextDisabled("group %d, #%d of %d", ch / Cg, ch % Cg, Cg);
    help_marker("index: where the channel sits in the step's shape: [c] for [N, C, H, W], "
                "[row][col] for the grid of channel axes. slot: which run of H\xC2\xB7W floats "
                "of which buffer (x's or y's) holds it; its floats start at offset "
                "(n\xC2\xB7" "C + slot)\xC2\xB7H\xC2\xB7W.");
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(4 * app.scale, 1 * app.scale));
    if (ImGui::BeginTable("path", 3, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_RowBg)) {
      ImGui::TableSetupColumn("step");
      ImGui::TableSetupColumn("index");
      ImGui::TableSetupColumn("slot");
      ImGui::TableHeadersRow();
      for (int k = 0; k < kShuffleSteps; ++k) {
        const GridCell cell = channel_cell(c, k, ch);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%d %s", k, s.model.steps[k].op);
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

  ImGui::Spacing();
  ImGui::Separator();
  heading("Result");
  help_marker("order[j] = input channel at output channel j = (j mod G)\xC2\xB7" "C/G + \xE2\x8C\x8Aj/G\xE2\x8C\x8B");
  std::string order;
  for (int j = 0; j < (int)s.model.order.size(); ++j) {
    if (j) order += ' ';
    order += std::to_string(s.model.order[j]);
  }
  ImGui::PushTextWrapPos(0.f);
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted(order.c_str());
  ImGui::PopFont();
  ImGui::PopTextWrapPos();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.model.matches_core_op ? ink().good
                                                                            : ink().warn),
                     s.model.matches_core_op ? "\xE2\x9C\x93 equals sl::channel_shuffle(x, G)"
                                             : "\xE2\x9C\x97 differs from sl::channel_shuffle");
}

// [SECTION] scrub bar

static void draw_scrub_bar(AppState& app) {
  ShuffleClock& clock = app.shuffle.clock;
  const float sc = app.scale, w = ImGui::GetContentRegionAvail().x, h = 46 * sc;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("scrub", ImVec2(w, h));
  const float pad = 46 * sc, x0 = p.x + pad, x1 = p.x + w - pad, y = p.y + 14 * sc;
  auto x_of = [&](float t) { return x0 + (x1 - x0) * t / float(kShuffleSteps - 1); };
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.f))
    clock.scrub((ImGui::GetIO().MousePos.x - x0) / (x1 - x0) * float(kShuffleSteps - 1));
  else if (ImGui::IsItemClicked())
    clock.scrub(std::round((ImGui::GetIO().MousePos.x - x0) / (x1 - x0) * (kShuffleSteps - 1)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), k.faint, 4 * sc);
  dl->AddLine(ImVec2(x0, y), ImVec2(x_of(clock.t), y), k.accent, 4 * sc);
  ImGui::PushFont(fonts().small);
  for (int s = 0; s < kShuffleSteps; ++s) {
    const float x = x_of(float(s));
    const bool passed = clock.t >= s - 1e-3f;
    dl->AddCircleFilled(ImVec2(x, y), 6 * sc, passed ? k.accent : k.card, 20);
    dl->AddCircle(ImVec2(x, y), 6 * sc, passed ? k.accent : k.dim, 20, 1.5f * sc);
    char lab[48];
    std::snprintf(lab, sizeof lab, "%d %s", s, kStepLabels[s]);
    const ImVec2 ts = ImGui::CalcTextSize(lab);
    dl->AddText(ImVec2(x - ts.x * 0.5f, y + 11 * sc), s == clock.nearest() ? k.text : k.dim, lab);
  }
  ImGui::PopFont();
  const ImVec2 hp(x_of(clock.t), y);
  dl->AddCircleFilled(ImVec2(hp.x, hp.y + 1.5f * sc), 10 * sc, k.shadow, 24);
  dl->AddCircleFilled(hp, 9 * sc, k.accent, 24);
  dl->AddCircleFilled(hp, 4 * sc, k.card, 16);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("t = %.2f: drag to any point between steps", clock.t);
}

// [SECTION] step card

static void draw_strides(const ShuffleStep& st, int step) {
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted("(");
  for (size_t d = 0; d < st.strides.size(); ++d) {
    ImGui::SameLine(0, 0);
    const bool swapped = step == 2 && (d == 1 || d == 2);
    const std::string v = std::to_string(st.strides[d]) + (d + 1 < st.strides.size() ? ", " : "");
    if (swapped)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", v.c_str());
    else
      ImGui::TextUnformatted(v.c_str());
  }
  ImGui::SameLine(0, 0);
  ImGui::TextUnformatted(")");
  ImGui::PopFont();
}

static void draw_step_card(AppState& app) {
  const ShuffleState& s = app.shuffle;
  const int k = s.clock.nearest();
  const ShuffleStep& st = s.model.steps[k];
  const ShuffleConfig& c = s.cfg;
  char title[96];
  std::snprintf(title, sizeof title, "Step %d  \xC2\xB7  %s", k, kStepLabels[k]);
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(title);
  ImGui::PopFont();
  ImGui::SameLine(0, 16);
  const bool moved = st.bytes > 0;
  const std::string badge = moved ? "DATA MOVES: " + std::to_string(st.bytes) + " bytes copied"
                                  : (k == 0 ? "THE INPUT" : "NO DATA MOVES");
  const ImVec2 ts = ImGui::CalcTextSize(badge.c_str());
  ImVec2 p = ImGui::GetCursorScreenPos();
  p.y += 3 * app.scale;
  const ImU32 col = moved ? ink().warn : (k == 0 ? ink().accent : ink().good);
  ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + ts.x + 16, p.y + ts.y + 6),
                                            with_alpha(col, 0.18f), 5.f);
  ImGui::GetWindowDrawList()->AddText(ImVec2(p.x + 8, p.y + 3), col, badge.c_str());
  ImGui::Dummy(ImVec2(ts.x + 16, ts.y + 6));
  ImGui::PushTextWrapPos(0.f);
  if (k == 3 && !moved)  // G = 1 or G = C: the transpose swapped a dim of size 1
    ImGui::TextDisabled("With G = 1 or G = C one of the swapped dims has size 1, so t is already "
                        "contiguous: contiguous() returns it as is and nothing moves. The shuffle "
                        "is the identity.");
  else
    ImGui::TextDisabled("%s", kStepWhy[k]);
  ImGui::PopTextWrapPos();
  code_line(st.code.c_str(), st.code_values.c_str());

  // Facts, each with its formula.
  char buf[320];
  value_with_help("shape", tuple_str(st.shape), kShapeFormula[k]);
  ImGui::SameLine(0, 22);
  ImGui::TextDisabled("strides");
  ImGui::SameLine();
  draw_strides(st, k);
  help_marker(kStrideFormula[k]);
  ImGui::SameLine(0, 22);
  value_with_help("contiguous", st.contiguous ? "yes" : "no",
                  "contiguous = each stride equals the product of the sizes after it, i.e. the "
                  "logical order is the memory order");
  ImGui::SameLine(0, 22);
  value_with_help("buffer", st.shares_input_storage ? "x's" : "new",
                  "Does this step read the buffer x was created with? Views and transposes share "
                  "it; contiguous() of a non-contiguous tensor allocates a new one.");
  ImGui::SameLine(0, 22);
  std::snprintf(buf, sizeof buf,
                "bytes copied by this step, measured by sl::copy_stats() around the call. "
                "contiguous() copies every element once: N\xC2\xB7" "C\xC2\xB7H\xC2\xB7W\xC2\xB7"
                "4 bytes = %d\xC2\xB7%d\xC2\xB7%d\xC2\xB7%d\xC2\xB7" "4 = %d. Views copy nothing.",
                c.N, c.C, c.size, c.size, c.N * c.C * c.size * c.size * 4);
  value_with_help("copied", std::to_string(st.bytes) + " B", buf);
}

// [SECTION] panel

void draw_panel_shuffle(AppState& app) {
  ShuffleState& s = app.shuffle;
  s.clock.update(ImGui::GetIO().DeltaTime);
  const float sc = app.scale;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14 * sc, 12 * sc));
  ImGui::BeginChild("controls", ImVec2(300 * sc, 0), true);
  draw_controls(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("stage", ImVec2(0, 0), false);
  const float total_h = ImGui::GetContentRegionAvail().y;
  const float bottom_h = std::max(190 * sc, total_h * 0.31f);
  ImGui::BeginChild("animator", ImVec2(0, total_h - bottom_h - ImGui::GetStyle().ItemSpacing.y),
                    true);
  draw_scrub_bar(app);
  draw_step_card(app);
  ImGui::Spacing();
  // In a small window the card keeps a readable canvas and scrolls instead.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_shuffle_canvas(app, ImVec2(avail.x, std::max(avail.y, 250 * sc)));
  ImGui::EndChild();
  const float fig_w = ImGui::GetContentRegionAvail().x * 0.58f;
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
