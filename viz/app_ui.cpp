// viz/app_ui.cpp - one frame of the app: the top bar (title, Save PNG, theme, help),
// the language switch, the panel tabs, the F1 help overlay and the toast line. The panels
// themselves live in panel_*.cpp; the window, loop and keys in app.cpp; the label table
// in i18n.cpp.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "viz/app.h"
#include "viz/app_state.h"
#include "viz/i18n.h"

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

// [SECTION] language

void set_app_lang(AppState& app, bool zh) {
  // The Lessons panel keeps the wish (it shows its own notice without a CJK font); the
  // labels fall back to English, since ImGui would draw missing glyphs as '?'.
  app.lessons.set_lang(zh ? Lang::zh : Lang::en);
  const bool can = zh && fonts().cjk;
  set_ui_lang(can ? UiLang::zh : UiLang::en);
  if (zh && !can) {
    app.toast = "No CJK font found (scripts/setup installs fonts-wqy-microhei): showing English.";
    app.toast_left = 6.f;
  }
}

// [SECTION] top bar

static void draw_top_bar(AppState& app) {
  const Fonts& f = fonts();
  ImGui::PushFont(f.title);
  ImGui::TextUnformatted("ShuffleLab");
  ImGui::PopFont();
  const float title_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;

  // Right-aligned controls: measure first, then place. The subtitle shows only where it
  // fits between the title and them (at 800 px wide in Chinese it does not).
  const bool zh_now = app.lessons.lang == Lang::zh;
  const char* zh_label = f.cjk ? "中文" : "ZH";
  const char* theme_label = app.dark ? tr("Light theme") : tr("Dark theme");
  const std::string help_label = std::string(tr("Help")) + "  F1";
  const ImGuiStyle& st = ImGui::GetStyle();
  auto bw = [&](const char* s) { return ImGui::CalcTextSize(s).x + 2 * st.FramePadding.x; };
  const float total = bw("EN") + bw(zh_label) + bw(tr("Save PNG")) + bw(theme_label) +
                      bw(help_label.c_str()) + 4 * st.ItemSpacing.x + 12 * app.scale;
  const float right = ImGui::GetWindowContentRegionMax().x - total;
  const char* subtitle = tr("how channel shuffle works, and why ShuffleNet is fast");
  if (title_end + 14 + ImGui::CalcTextSize(subtitle).x + 12 * app.scale < right) {
    ImGui::SameLine(0, 14);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 4 * app.scale);
    ImGui::TextDisabled("%s", subtitle);
  }
  ImGui::SameLine(right);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2 * app.scale);
  // EN / 中文: one switch for the app's labels and the Lessons panel's text.
  auto lang_button = [&](const char* label, bool on, bool zh) {
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyle().Colors[ImGuiCol_Header]);
    if (ImGui::Button(label) && !on) set_app_lang(app, zh);
    if (on) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", !zh     ? "English labels and lessons"
                              : f.cjk ? "界面和课程显示中文 (Chinese labels and lessons)"
                                      : "Chinese labels and lessons: needs a CJK font "
                                        "(scripts/setup installs fonts-wqy-microhei)");
  };
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, st.ItemSpacing.y));
  lang_button("EN", !zh_now, false);
  ImGui::SameLine();
  lang_button(zh_label, zh_now, true);
  ImGui::PopStyleVar();
  ImGui::SameLine(0, st.ItemSpacing.x + 12 * app.scale);
  if (ImGui::Button(trid("Save PNG").c_str())) {
    char name[96];
    const std::time_t now = std::time(nullptr);
    std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", std::localtime(&now));
    std::string title = panel_title(app.panel);
    for (char& ch : title) ch = (char)std::tolower((unsigned char)ch);
    app.png_request = "shufflelab-" + title + "-" + name + ".png";
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", tr("Save this view as a PNG in the current directory"));
  ImGui::SameLine();
  if (ImGui::Button((std::string(theme_label) + "###theme").c_str())) app.dark = !app.dark;
  ImGui::SameLine();
  if (ImGui::Button((help_label + "###help").c_str())) app.show_help = !app.show_help;
}

// [SECTION] help overlay

static void draw_help(AppState& app) {
  const std::string title_s = trid("Keyboard and mouse");
  const char* title = title_s.c_str();
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
        ImGui::TextUnformatted(tr(k[0]));
        ImGui::PopFont();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(tr(k[1]));
      }
      ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("%s", tr("Settings and layout are kept in ~/.config/shufflelab/"));
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
      if (ImGui::BeginTabItem(trid(panel_title(p)).c_str(), nullptr, tf)) {
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
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  if (selecting) app.select_panel = false;
  ImGui::End();

  draw_help(app);
  if (app.toast_left > 0.f) {  // a one-line message (Save PNG, a notice), bottom left
    app.toast_left -= ImGui::GetIO().DeltaTime;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const float wrap = std::max(100.f, vp->Size.x - 52);  // a long notice wraps in the window
    const ImVec2 ts = ImGui::CalcTextSize(app.toast.c_str(), nullptr, false, wrap);
    const ImVec2 p(vp->Pos.x + 16, vp->Pos.y + vp->Size.y - ts.y - 26);
    dl->AddRectFilled(p, ImVec2(p.x + ts.x + 20, p.y + ts.y + 12), ink().card, 6.f);
    dl->AddRect(p, ImVec2(p.x + ts.x + 20, p.y + ts.y + 12), ink().accent, 6.f);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(p.x + 10, p.y + 6), ink().text,
                app.toast.c_str(), nullptr, wrap);
  }
}

}  // namespace sl::viz
