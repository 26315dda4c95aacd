// viz/panel_stub.cpp - the panels that later issues fill in (Blocks, Guidelines, Train,
// Lessons): each says what it will show and where its numbers will come from, so the
// app's shape is visible from the first version. Each becomes its own panel_*.cpp.
#include "viz/app_state.h"

namespace sl::viz {

namespace {

struct StubText {
  const char* title;
  const char* summary;
  const char* points[4];
  const char* source;
};

const StubText& stub_text(Panel p) {
  static const StubText blocks{
      "Blocks: FLOPs, memory access and time per block",
      "Every unit of ShuffleNet V1 and V2 as a row: output shape, parameters, multiply-adds, "
      "memory access cost (MAC) and measured time, side by side.",
      {"pick a model (v1-g3-1.0, v2-1.0, ...) and a device (cpu or cuda)",
       "bars of FLOPs against MAC: where a block is memory-bound",
       "click a block to see its layers and the shapes flowing through",
       "export the table as CSV or Markdown"},
      "numbers from nn/cost (FLOPs, MAC) and a timed forward pass"};
  static const StubText guidelines{
      "Guidelines: the four rules of ShuffleNet V2",
      "G1 equal channel width minimises MAC; G2 many groups raise MAC; G3 fragmentation slows "
      "down; G4 element-wise ops are not free. Each measured here beside the paper's table.",
      {"G1: c1:c2 ratios at fixed FLOPs", "G2: group counts at fixed FLOPs",
       "G3: fragmented vs one wide branch", "G4: ReLU and shortcut on and off"},
      "numbers from `shufflelab guidelines` (docs/guidelines.md)"};
  static const StubText train{
      "Train: CIFAR-10, live",
      "Loss and accuracy curves, throughput and learning rate of a training run, read from "
      "OUT/metrics.jsonl while `shufflelab train` writes it.",
      {"open a run folder", "loss, train and test accuracy per epoch",
       "images per second and time per epoch", "compare two runs"},
      "numbers from runs/*/metrics.jsonl"};
  static const StubText lessons{
      "Lessons: the numbered walk-through",
      "lessons/NN_topic/README.md rendered beside its program's output, from tensors and "
      "autograd to a trained ShuffleNet.",
      {"one lesson per page, in order", "run the lesson's program and see its output",
       "links into the panels that illustrate it", "what to read next"},
      "text from lessons/*/README.md"};
  switch (p) {
    case Panel::blocks: return blocks;
    case Panel::guidelines: return guidelines;
    case Panel::train: return train;
    default: return lessons;
  }
}

}  // namespace

void draw_panel_stub(AppState& app, Panel p) {
  const StubText& t = stub_text(p);
  const float sc = app.scale, pad = 26 * sc;
  const float w = std::min(ImGui::GetContentRegionAvail().x, 760 * sc), inner = w - 2 * pad;
  const ImVec2 start = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(start.x + (ImGui::GetContentRegionAvail().x - w) * 0.5f + pad,
                             start.y + 40 * sc + pad));
  // The card's background goes on channel 0 once the content (channel 1) has been measured.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPos().x + inner);
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(t.title);
  ImGui::PopFont();
  ImGui::Spacing();
  // A band of the group palette: the colours every panel shares.
  const ImVec2 a = ImGui::GetCursorScreenPos();
  for (int q = 0; q < 8; ++q)
    for (int i = 0; i < 4; ++i) {
      const float x = a.x + inner * float(q * 4 + i) / 32.f;
      dl->AddRectFilled(ImVec2(x, a.y), ImVec2(x + inner / 32.f - 2 * sc, a.y + 6 * sc),
                        group_color(q, 8, i, 4), 2 * sc);
    }
  ImGui::Dummy(ImVec2(inner, 10 * sc));
  ImGui::TextUnformatted(t.summary);
  ImGui::Spacing();
  heading("What it will show");
  for (const char* point : t.points) ImGui::BulletText("%s", point);
  ImGui::Spacing();
  ImGui::TextDisabled("%s", t.source);
  ImGui::Spacing();
  const ImVec2 r = ImGui::GetCursorScreenPos();
  dl->AddLine(ImVec2(r.x, r.y + 4 * sc), ImVec2(r.x + inner, r.y + 4 * sc), ink().border, 1.f);
  ImGui::Dummy(ImVec2(inner, 12 * sc));
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().accent), "Coming in a later issue.");
  ImGui::TextDisabled("Meanwhile the Shuffle panel is live: press F1 for its keys.");
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  const ImVec2 lo(ImGui::GetItemRectMin().x - pad, ImGui::GetItemRectMin().y - pad);
  const ImVec2 hi(lo.x + w, ImGui::GetItemRectMax().y + pad);
  dl->ChannelsSetCurrent(0);
  dl->AddRectFilled(ImVec2(lo.x, lo.y + 3 * sc), ImVec2(hi.x, hi.y + 3 * sc), ink().shadow, 10 * sc);
  dl->AddRectFilled(lo, hi, ink().card, 10 * sc);
  dl->AddRect(lo, hi, ink().border, 10 * sc);
  dl->ChannelsMerge();
}

}  // namespace sl::viz
