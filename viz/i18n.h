// viz/i18n.h - the app's own labels in English or Chinese. Every visible label goes
// through tr("English text"), which returns the Chinese text when the UI language is
// Chinese and the table (viz/i18n.cpp) has the label, and the English text otherwise.
// trid() adds a stable ImGui ID ("###English text"), so a widget keeps its state when the
// language switches. Not here: the lesson texts (lessons/<NN>_<topic>/README.zh.md) and the fonts
// (viz/ui.cpp, load_fonts).
#pragma once
#include <string>

namespace sl::viz {

enum class UiLang { en, zh };

void set_ui_lang(UiLang lang);
UiLang ui_lang();

// The label in the current UI language; `english` itself when there is no translation.
// The returned pointer stays valid for the life of the program.
const char* tr(const char* english);

// tr(english) + "###" + english: a translated label whose ImGui ID does not change with
// the language.
std::string trid(const char* english);

}  // namespace sl::viz
