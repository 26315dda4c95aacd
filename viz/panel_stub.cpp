// viz/panel_stub.cpp - what a tab shows before its panel is built: its title and one
// plain sentence saying what the panel will do. A panel that gets built draws itself
// from its own panel_*.cpp instead (one line in app_ui.cpp's draw_frame), and its
// sentence here goes away. Not here: any panel's content.
#include "viz/app_state.h"

namespace sl::viz {

static const char* stub_sentence(Panel p) {
  switch (p) {
    case Panel::blocks:
      return "This panel will list every block of ShuffleNet V1 and V2 with its multiply-adds, "
             "memory access cost and measured time.";
    case Panel::guidelines:
      return "This panel will run the four ShuffleNet V2 guideline experiments and show them "
             "beside the paper's tables.";
    default: return "";
  }
}

void draw_panel_stub(AppState& app, Panel p) {
  const float sc = app.scale;
  const float w = std::min(ImGui::GetContentRegionAvail().x, 620 * sc);
  ImGui::SetCursorPos(
      ImVec2(ImGui::GetCursorPos().x + (ImGui::GetContentRegionAvail().x - w) * 0.5f,
             ImGui::GetCursorPos().y + 60 * sc));
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPos().x + w);
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(panel_title(p));
  ImGui::PopFont();
  ImGui::Spacing();
  ImGui::TextDisabled("%s", stub_sentence(p));
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
}

}  // namespace sl::viz
