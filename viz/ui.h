// viz/ui.h - the app's look, shared by every panel: the dark and light themes, the
// fonts (HiDPI-scaled), the colour of each channel group, and the few small widgets
// the panels repeat (the "(?)" formula tooltip, a labelled value, the backend switch). Not here:
// window or GL setup (app.cpp), panel content (panel_*.cpp).
#pragma once
#include <string>

#include <imgui.h>

#include "core/backend.h"

namespace sl::viz {

struct Fonts {
  ImFont* body = nullptr;   // DejaVu Sans, the default
  ImFont* bold = nullptr;   // headings inside panels
  ImFont* title = nullptr;  // the app title
  ImFont* mono = nullptr;   // C++ lines, shapes, strides
  ImFont* small = nullptr;  // labels inside drawings
  bool cjk = false;         // a CJK font is merged into every font above
};

// Loads DejaVu from the system at size * scale (ImGui's built-in font when absent), with
// a CJK font merged in when one is installed ($SHUFFLELAB_CJK_FONT alone when set, else
// fonts-wqy-microhei or fonts-noto-cjk): ImGui's common simplified Chinese set plus every
// character of cjk_text.
// Call before the renderer builds the font texture, or rebuild it afterwards.
Fonts load_fonts(float scale, const std::string& cjk_text = "");
const Fonts& fonts();  // the fonts of the last load_fonts
void apply_theme(bool dark, float scale);

// Colours of the current theme for ImDrawList drawings.
struct Ink {
  ImU32 bg, card, border, text, dim, faint, accent, accent_soft, good, warn, code_bg, code_text,
      shadow;
};
const Ink& ink();
bool theme_is_dark();

// Group q of G, with channel `inner` of `count` in that group shaded from dark to light,
// so that both the group and the order inside it can be read off a colour.
ImU32 group_color(int q, int G, int inner = 0, int count = 1);
ImU32 text_color_on(ImU32 fill);  // black or white, whichever reads on fill
ImU32 mix(ImU32 a, ImU32 b, float t);
ImU32 with_alpha(ImU32 c, float alpha);

// [SECTION] widgets
// "(?)" after the previous item; hovering shows `formula` (the formula of the number beside it).
void help_marker(const char* formula);
// "label  value (?)" on one line: label dim, value in mono.
void value_with_help(const char* label, const std::string& value, const char* formula);
// A heading in the bold font.
void heading(const char* text);
// The backend switch of the Blocks, Guidelines and Train panels, the one way the app picks
// a device: "CPU  CUDA (?)" radio buttons. CUDA is disabled where core's
// device_unavailable_reason(Device::cuda) is not empty (no CUDA build, no driver, no
// device), and hovering it or the (?) shows that reason word for word. `locked`: the
// panel's job is running, both stay as they are. `what`: the (?) text, what runs on the
// device. True when *device changed.
bool device_switch(Device* device, bool locked, const char* what);

}  // namespace sl::viz
