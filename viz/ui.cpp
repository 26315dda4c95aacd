// viz/ui.cpp - themes, fonts, group colours and the small shared widgets of viz/ui.h.
// The palette for up to ten groups is Tableau 10 (distinct on dark and light
// backgrounds and for common colour-vision deficiencies); more groups spread over hue.
#include "viz/ui.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] fonts

static Fonts g_fonts;
const Fonts& fonts() { return g_fonts; }

Fonts load_fonts(float scale, const std::string& cjk_text) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Latin-1 plus the arrows, math operators and marks the panels print (→ · × ≤ ✓ …).
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder b;
    b.AddRanges(io.Fonts->GetGlyphRangesDefault());
    static const ImWchar extra[] = {0x2010, 0x2027, 0x2190, 0x21FF, 0x2200, 0x23FF,
                                    0x25A0, 0x25FF, 0x2713, 0x2717, 0};
    b.AddRanges(extra);
    b.BuildRanges(&ranges);
  }
  const char* dir = "/usr/share/fonts/truetype/dejavu/";
  auto load = [&](const char* file, float px) -> ImFont* {
    std::string path = std::string(dir) + file;
    if (!std::filesystem::exists(path)) return nullptr;
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 2;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), std::round(px * scale), &cfg, ranges.Data);
  };
  Fonts f;
  f.body = load("DejaVuSans.ttf", 15.f);
  // Chinese (the Lessons panel's README.zh.md and the labels of viz/i18n.cpp): a CJK font
  // merged into body, bold, title, mono and small, with ImGui's ~2500 common simplified characters
  // plus those of `cjk_text`. $SHUFFLELAB_CJK_FONT, when set, is the only candidate ("none": no CJK
  // font).
  std::string cjk_path;
  const char* env_cjk = std::getenv("SHUFFLELAB_CJK_FONT");
  for (const char* p : std::initializer_list<const char*>{
           env_cjk,
           env_cjk && *env_cjk ? nullptr : "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
           env_cjk && *env_cjk ? nullptr
                               : "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"})
    if (p && *p && std::filesystem::exists(p)) {
      cjk_path = p;
      break;
    }
  static ImVector<ImWchar> cjk_ranges;
  static std::string cjk_ranges_text;
  if (!cjk_path.empty() && (cjk_ranges.empty() || cjk_ranges_text != cjk_text)) {
    ImFontGlyphRangesBuilder b;
    b.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    b.AddText(cjk_text.c_str());
    cjk_ranges.clear();
    b.BuildRanges(&cjk_ranges);
    cjk_ranges_text = cjk_text;
  }
  auto merge_cjk = [&](ImFont* into, float px) {
    if (!into || cjk_path.empty()) return;
    ImFontConfig cfg;
    cfg.MergeMode = true;
    cfg.OversampleH = cfg.OversampleV = 1;  // ImGui's advice for CJK: keeps the atlas small
    cfg.PixelSnapH = true;
    if (io.Fonts->AddFontFromFileTTF(cjk_path.c_str(), std::round(px * scale), &cfg,
                                     cjk_ranges.Data))
      f.cjk = true;
  };
  merge_cjk(f.body, 15.f);
  if (!f.body) {  // no DejaVu (scripts/setup installs fonts-dejavu-core): ImGui's own font
    ImFontConfig cfg;
    cfg.SizePixels = std::round(13.f * scale);
    f.body = f.bold = f.title = f.mono = f.small = io.Fonts->AddFontDefault(&cfg);
    return g_fonts = f;
  }
  f.bold = load("DejaVuSans-Bold.ttf", 15.5f);
  merge_cjk(f.bold, 15.5f);
  f.title = load("DejaVuSans-Bold.ttf", 20.f);
  merge_cjk(f.title, 20.f);
  f.mono = load("DejaVuSansMono.ttf", 14.f);
  merge_cjk(f.mono, 14.f);
  f.small = load("DejaVuSans.ttf", 12.f);
  merge_cjk(f.small, 12.f);
  if (!f.bold) f.bold = f.body;
  if (!f.title) f.title = f.bold;
  if (!f.mono) f.mono = f.body;
  if (!f.small) f.small = f.body;
  return g_fonts = f;
}

// [SECTION] themes

static bool g_dark = true;
static Ink g_ink;

static ImVec4 rgb(int hex, float a = 1.f) {
  return ImVec4(((hex >> 16) & 255) / 255.f, ((hex >> 8) & 255) / 255.f, (hex & 255) / 255.f, a);
}
static ImU32 u32(int hex, float a = 1.f) { return ImGui::ColorConvertFloat4ToU32(rgb(hex, a)); }

void apply_theme(bool dark, float scale) {
  g_dark = dark;
  ImGuiStyle& st = ImGui::GetStyle();
  st = ImGuiStyle();
  dark ? ImGui::StyleColorsDark(&st) : ImGui::StyleColorsLight(&st);
  st.WindowPadding = {14, 10};
  st.FramePadding = {8, 5};
  st.ItemSpacing = {8, 7};
  st.ItemInnerSpacing = {6, 5};
  st.ScrollbarSize = 12;
  st.GrabMinSize = 12;
  st.WindowRounding = 0;
  st.ChildRounding = 8;
  st.FrameRounding = 5;
  st.PopupRounding = 6;
  st.GrabRounding = 5;
  st.TabRounding = 6;
  st.ScrollbarRounding = 6;
  st.WindowBorderSize = 0;
  st.ChildBorderSize = 1;
  st.FrameBorderSize = 0;
  st.TabBorderSize = 0;

  // Base, surface, raised, border, text, dim, accent.
  const int bg = dark ? 0x14161B : 0xEEF0F3, card = dark ? 0x1C1F26 : 0xFFFFFF,
            raised = dark ? 0x272B34 : 0xE3E6EB, hover = dark ? 0x323744 : 0xD6DBE3,
            border = dark ? 0x2D323C : 0xD5D9E0, text = dark ? 0xE7E9ED : 0x1D2129,
            dim = dark ? 0x8D95A3 : 0x646C79, accent = dark ? 0x5B9BF8 : 0x2F6FEB;
  ImVec4* c = st.Colors;
  c[ImGuiCol_Text] = rgb(text);
  c[ImGuiCol_TextDisabled] = rgb(dim);
  c[ImGuiCol_WindowBg] = rgb(bg);
  c[ImGuiCol_ChildBg] = rgb(card);
  c[ImGuiCol_PopupBg] = rgb(card, 0.98f);
  c[ImGuiCol_Border] = rgb(border);
  c[ImGuiCol_BorderShadow] = rgb(0, 0);
  c[ImGuiCol_FrameBg] = rgb(raised);
  c[ImGuiCol_FrameBgHovered] = rgb(hover);
  c[ImGuiCol_FrameBgActive] = rgb(hover);
  c[ImGuiCol_Button] = rgb(raised);
  c[ImGuiCol_ButtonHovered] = rgb(hover);
  c[ImGuiCol_ButtonActive] = rgb(accent, 0.55f);
  c[ImGuiCol_Header] = rgb(accent, 0.22f);
  c[ImGuiCol_HeaderHovered] = rgb(accent, 0.32f);
  c[ImGuiCol_HeaderActive] = rgb(accent, 0.45f);
  c[ImGuiCol_SliderGrab] = rgb(accent);
  c[ImGuiCol_SliderGrabActive] = rgb(accent);
  c[ImGuiCol_CheckMark] = rgb(accent);
  c[ImGuiCol_Tab] = rgb(bg);
  c[ImGuiCol_TabHovered] = rgb(hover);
  c[ImGuiCol_TabActive] = rgb(card);
  c[ImGuiCol_TabUnfocused] = rgb(bg);
  c[ImGuiCol_TabUnfocusedActive] = rgb(card);
  c[ImGuiCol_Separator] = rgb(border);
  c[ImGuiCol_ScrollbarBg] = rgb(0, 0);
  c[ImGuiCol_ScrollbarGrab] = rgb(raised);
  c[ImGuiCol_ScrollbarGrabHovered] = rgb(hover);
  c[ImGuiCol_TableHeaderBg] = rgb(raised);
  c[ImGuiCol_TableBorderStrong] = rgb(border);
  c[ImGuiCol_TableBorderLight] = rgb(border, 0.6f);
  c[ImGuiCol_TableRowBgAlt] = rgb(raised, 0.35f);
  c[ImGuiCol_TitleBg] = rgb(raised);
  c[ImGuiCol_TitleBgActive] = rgb(raised);
  c[ImGuiCol_TitleBgCollapsed] = rgb(raised);
  c[ImGuiCol_ModalWindowDimBg] = rgb(0x000000, dark ? 0.55f : 0.3f);
  st.ScaleAllSizes(scale);

  g_ink = Ink{u32(bg),
              u32(card),
              u32(border),
              u32(text),
              u32(dim),
              u32(dim, 0.35f),
              u32(accent),
              u32(accent, 0.16f),
              u32(dark ? 0x5CC48A : 0x1F9254),
              u32(dark ? 0xF2A65A : 0xC2610C),
              u32(dark ? 0x0F1115 : 0xF3F5F8),
              u32(dark ? 0xC9D1D9 : 0x24292F),
              u32(0x000000, dark ? 0.45f : 0.12f)};
}

const Ink& ink() { return g_ink; }
bool theme_is_dark() { return g_dark; }

// [SECTION] colours

ImU32 mix(ImU32 a, ImU32 b, float t) {
  ImVec4 x = ImGui::ColorConvertU32ToFloat4(a), y = ImGui::ColorConvertU32ToFloat4(b);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(x.x + (y.x - x.x) * t, x.y + (y.y - x.y) * t,
                                               x.z + (y.z - x.z) * t, x.w + (y.w - x.w) * t));
}

ImU32 with_alpha(ImU32 c, float alpha) {
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  v.w *= alpha;
  return ImGui::ColorConvertFloat4ToU32(v);
}

ImU32 group_color(int q, int G, int inner, int count) {
  static const int tableau10[] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                  0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
  ImU32 base;
  if (G <= 10) {
    base = u32(tableau10[q % 10]);
  } else {  // many groups: even steps around the hue circle, same softness as Tableau
    float r, g, b;
    ImGui::ColorConvertHSVtoRGB(std::fmod(0.58f + float(q) / float(G), 1.f), 0.55f, 0.88f, r, g, b);
    base = ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, 1.f));
  }
  if (count <= 1) return base;
  // Inside a group: from a deeper shade (first channel) to a lighter one (last).
  const float t = float(inner) / float(count - 1);
  return t < 0.5f ? mix(base, u32(0x000000), 0.28f * (0.5f - t) * 2.f)
                  : mix(base, u32(0xFFFFFF), 0.38f * (t - 0.5f) * 2.f);
}

ImU32 text_color_on(ImU32 fill) {
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(fill);
  const float lum = 0.2126f * v.x + 0.7152f * v.y + 0.0722f * v.z;
  return lum > 0.55f ? u32(0x111318) : u32(0xFFFFFF);
}

// [SECTION] widgets

void help_marker(const char* formula) {
  ImGui::SameLine(0, 4);
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.f);
    ImGui::TextUnformatted(formula);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void value_with_help(const char* label, const std::string& value, const char* formula) {
  ImGui::TextDisabled("%s", label);
  ImGui::SameLine();
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopFont();
  help_marker(formula);
}

void heading(const char* text) {
  ImGui::PushFont(fonts().bold);
  ImGui::TextUnformatted(text);
  ImGui::PopFont();
}

bool device_switch(Device* device, bool locked, const char* what) {
  const std::string why = device_unavailable_reason(Device::cuda);  // asked once per process
  const Device before = *device;
  ImGui::BeginDisabled(locked);
  if (ImGui::RadioButton(trid("CPU").c_str(), *device == Device::cpu)) *device = Device::cpu;
  ImGui::SameLine();
  ImGui::BeginDisabled(!why.empty());
  if (ImGui::RadioButton(trid("CUDA").c_str(), *device == Device::cuda)) *device = Device::cuda;
  ImGui::EndDisabled();
  const std::string cannot = str_cat(tr("CUDA cannot run here:"), "\n", why);
  if (!why.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.f);
    ImGui::TextUnformatted(cannot.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  ImGui::EndDisabled();
  help_marker(why.empty() ? what : str_cat(what, "\n\n", cannot).c_str());
  return *device != before;
}

}  // namespace sl::viz
