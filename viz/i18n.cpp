// viz/i18n.cpp - the English -> Chinese table of the app's labels and the current UI
// language (viz/i18n.h). Not here: lesson texts, which have their own README.zh.md.
#include "viz/i18n.h"

#include <string_view>
#include <unordered_map>

namespace sl::viz {

namespace {

UiLang g_lang = UiLang::en;

// English label -> Chinese label. Terms follow the seed article: 通道混洗 (channel
// shuffle), 分组卷积 (group convolution), 深度卷积 (depthwise convolution).
const std::unordered_map<std::string_view, const char*>& zh_table() {
  static const std::unordered_map<std::string_view, const char*> table = {
      {"Shuffle", "通道混洗"},
  };
  return table;
}

}  // namespace

void set_ui_lang(UiLang lang) { g_lang = lang; }
UiLang ui_lang() { return g_lang; }

const char* tr(const char* english) {
  if (g_lang == UiLang::en) return english;
  const auto& table = zh_table();
  auto it = table.find(english);
  return it == table.end() ? english : it->second;
}

std::string trid(const char* english) {
  std::string s = tr(english);
  s += "###";
  s += english;
  return s;
}

}  // namespace sl::viz
