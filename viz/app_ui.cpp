// viz/app_ui.cpp - one frame of the app: the top bar (title, Save PNG, theme, help),
// the panel tabs, the F1 help overlay and the toast line. The panels themselves live
// in panel_*.cpp; the window, loop and keys in app.cpp.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "viz/app.h"
#include "viz/app_state.h"

namespace sl::viz {

// [SECTION] panels by name

static const Panel kPanels[kPanelCount] = {Panel::shuffle, Panel::blocks, Panel::guidelines,
                                           Panel::train, Panel::lessons};

const char* panel_title(Panel p) {
  switch (p) {
    case Panel::shuffle: return "Shuffle";
    case Panel::blocks: return "Blocks";
    case Panel::guidelines: return "Guidelines";
    case Panel::train: return "Train";
    case Panel::lessons: return "Lessons";
  }
  return "Shuffle";
}

const std::vector<std::string>& panel_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (Panel p : kPanels) v.push_back(panel_title(p));
    return v;
  }();
  return names;
}

bool panel_from_name(const std::string& name, Panel* out) {
  auto lower = [](std::string s) {
    for (char& ch : s) ch = (char)std::tolower((unsigned char)ch);
    return s;
  };
  for (Panel p : kPanels)
    if (lower(panel_title(p)) == lower(name)) {
      *out = p;
      return true;
    }
  return false;
}

// [SECTION] top bar

static void draw_top_bar(AppState& app) {
  const Fonts& f = fonts();
  ImGui::PushFont(f.title);
  ImGui::TextUnformatted("ShuffleLab");
  ImGui::PopFont();
  ImGui::SameLine(0, 14);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 4 * app.scale);
  ImGui::TextDisabled("how channel shuffle works, and why ShuffleNet is fast");

  // Right-aligned buttons: measure first, then place.
  const char* theme_label = app.dark ? "Light theme" : "Dark theme";
  const ImGuiStyle& st = ImGui::GetStyle();
  auto bw = [&](const char* s) { return ImGui::CalcTextSize(s).x + 2 * st.FramePadding.x; };
  const float total = bw("Save PNG") + bw(theme_label) + bw("Help  F1") + 2 * st.ItemSpacing.x;
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - total);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2 * app.scale);
  if (ImGui::Button("Save PNG")) {
    char name[96];
    const std::time_t now = std::time(nullptr);
    std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", std::localtime(&now));
    std::string title = panel_title(app.panel);
    for (char& ch : title) ch = (char)std::tolower((unsigned char)ch);
    app.png_request = "shufflelab-" + title + "-" + name + ".png";
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Save this view as a PNG in the current directory");
  ImGui::SameLine();
  if (ImGui::Button(theme_label)) app.dark = !app.dark;
  ImGui::SameLine();
  if (ImGui::Button("Help  F1")) app.show_help = !app.show_help;
}

// [SECTION] help overlay

static void draw_help(AppState& app) {
  const char* title = "Keyboard and mouse";
  // A modal: ImGui dims the app behind it. F1 or the close button ends it.
  if (app.show_help && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f),
                          ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(20 * app.scale, 16 * app.scale));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 10 * app.scale);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.f);
  ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::GetStyle().Colors[ImGuiCol_ChildBg]);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove;
  if (ImGui::BeginPopupModal(title, &app.show_help, flags)) {
    if (!app.show_help) ImGui::CloseCurrentPopup();
    static const char* keys[][2] = {
        {"Space", "play / pause the animation"},
        {"\xE2\x86\x90  \xE2\x86\x92", "previous / next step (animates backward or forward)"},
        {"Home  End", "first / last step"},
        {"F1", "show / hide this help"},
        {"Ctrl+Q", "quit (settings are saved)"},
        {"click a channel", "follow it through every step"},
        {"drag the scrub bar", "any point between two steps"},
        {"hover (?)", "the formula behind a number"},
    };
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
      for (auto& k : keys) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushFont(fonts().mono);
        ImGui::TextUnformatted(k[0]);
        ImGui::PopFont();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(k[1]);
      }
      ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("Settings and layout are kept in ~/.config/shufflelab/");
    ImGui::EndPopup();
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar(3);
}

// [SECTION] the frame

void draw_frame(AppState& app) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("##shufflelab", nullptr, flags);
  draw_top_bar(app);
  ImGui::Spacing();
  const bool selecting = app.select_panel;  // a panel's "Open in" button asks for the next frame
  if (ImGui::BeginTabBar("panels")) {
    for (Panel p : kPanels) {
      const ImGuiTabItemFlags tf =
          app.select_panel && p == app.panel ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(panel_title(p), nullptr, tf)) {
        if (!app.select_panel) app.panel = p;
        ImGui::Spacing();
        if (p == Panel::shuffle)
          draw_panel_shuffle(app);
        else if (p == Panel::blocks)
          draw_panel_blocks(app);
        else if (p == Panel::guidelines)
          draw_panel_guidelines(app);
        else if (p == Panel::lessons)
          draw_panel_lessons(app);
        else if (p == Panel::train)
          draw_panel_train(app);
        else
          draw_panel_stub(app, p);
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  if (selecting) app.select_panel = false;
  ImGui::End();

  draw_help(app);
  if (app.toast_left > 0.f) {  // the last Save PNG result, bottom left
    app.toast_left -= ImGui::GetIO().DeltaTime;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 ts = ImGui::CalcTextSize(app.toast.c_str());
    const ImVec2 p(vp->Pos.x + 16, vp->Pos.y + vp->Size.y - ts.y - 26);
    dl->AddRectFilled(p, ImVec2(p.x + ts.x + 20, p.y + ts.y + 12), ink().card, 6.f);
    dl->AddRect(p, ImVec2(p.x + ts.x + 20, p.y + ts.y + 12), ink().accent, 6.f);
    dl->AddText(ImVec2(p.x + 10, p.y + 6), ink().text, app.toast.c_str());
  }
}

}  // namespace sl::viz
