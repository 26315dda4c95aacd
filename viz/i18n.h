// viz/i18n.h - the app's own labels in English or Chinese. Every visible label goes
// through tr("English text"), which returns the Chinese text when the UI language is
// Chinese and the table (viz/i18n.cpp) has the label, and the English text otherwise.
// trid() adds a stable ImGui ID ("###English text"), so a widget keeps its state when the
// language switches. Not here: the lesson texts (lessons/*/README.zh.md) and the fonts
// (viz/ui.cpp, load_fonts).
#pragma once
#include <string>
#include <vector>

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

// [SECTION] for the fonts and the tests
// Every Chinese label of the table concatenated: the glyphs the CJK font must hold.
std::string tr_zh_text();
// The table itself, English -> Chinese, in no particular order.
struct TrEntry {
  const char* en;
  const char* zh;
};
std::vector<TrEntry> tr_entries();
// The long (?) tooltips of the Blocks, Guidelines and Train panels (viz/i18n_formulas.cpp),
// part of the same table; a key may be in only one of the two files.
const std::vector<TrEntry>& tr_formula_entries();

}  // namespace sl::viz
