// tests/viz/test_viz_state_i18n.cpp - the app's label table (viz/i18n.cpp) without a
// window: tr() in English and Chinese, trid()'s stable ID, every entry non-empty and
// translated with the same printf conversions in the same order, the seed article's
// terms, and every entry's English used as a string literal somewhere in viz/ or nn/ (a
// stale entry fails). The drawn Chinese labels are checked by viz_screenshots_zh.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "tests/helpers.h"
#include "viz/i18n.h"

using namespace sl::viz;
namespace fs = std::filesystem;

namespace {

// The printf conversions of a format, in order ("%d", "%.2f", "%s"); "%%" is not one.
std::vector<std::string> conversions(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 1 < s.size() && s[i + 1] == '%') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < s.size() && std::string_view("-+ #0123456789.hlzjt").find(s[j]) != std::string::npos)
      ++j;
    if (j < s.size() && std::string_view("diouxXeEfgGcsp").find(s[j]) != std::string::npos)
      out.push_back(s.substr(i, j - i + 1));
    i = j;
  }
  return out;
}

// Every string literal of a C++ source, adjacent literals joined and escapes decoded
// (\n, \", \\, \xNN), as the compiler sees them. Comments and char literals are skipped.
std::vector<std::string> string_literals(const std::string& src) {
  std::vector<std::string> out;
  std::string cur;
  bool in_run = false;
  size_t i = 0;
  auto flush = [&] {
    if (in_run) out.push_back(cur);
    cur.clear();
    in_run = false;
  };
  while (i < src.size()) {
    const char c = src[i];
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      i = src.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
      continue;
    }
    if (c == '\'') {  // a char literal: '"' must not open a string
      i = src.find('\'', i + (src[i + 1] == '\\' ? 3 : 2));
      if (i == std::string::npos) break;
      ++i;
      continue;
    }
    if (c == '"') {
      in_run = true;
      for (++i; i < src.size() && src[i] != '"'; ++i) {
        if (src[i] != '\\') {
          cur += src[i];
          continue;
        }
        const char e = src[++i];
        if (e == 'n') {
          cur += '\n';
        } else if (e == 'x') {
          size_t n = 0;
          cur += (char)std::stoi(src.substr(i + 1, 2), &n, 16);
          i += n;
        } else {
          cur += e;
        }
      }
      ++i;
      continue;
    }
    if (!std::isspace((unsigned char)c)) flush();
    ++i;
  }
  flush();
  return out;
}

std::set<std::string> viz_literals() {
  std::set<std::string> all;
  // viz/ draws the labels; nn/ names a few things the panels show (guideline_title).
  for (const char* dir : {"viz", "nn"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(SL_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".cpp" || e.path().filename().string().rfind("i18n", 0) == 0)
        continue;  // the table itself (i18n.cpp, i18n_formulas.cpp)
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      for (std::string& s : string_literals(ss.str())) all.insert(std::move(s));
    }
  return all;
}

}  // namespace

TEST_CASE("i18n: tr() is English in en, the table's Chinese in zh; trid() keeps the ID") {
  set_ui_lang(UiLang::en);
  CHECK(std::string(tr("Shuffle")) == "Shuffle");
  CHECK(std::string(tr("no such label, kept as is")) == "no such label, kept as is");
  CHECK(trid("Save PNG") == "Save PNG###Save PNG");
  set_ui_lang(UiLang::zh);
  CHECK(ui_lang() == UiLang::zh);
  CHECK(std::string(tr("Shuffle")) == "通道混洗");
  CHECK(std::string(tr("strides")) == "步幅");  // a tensor's stride; 步长 is a convolution's
  CHECK(std::string(tr("G2  group convolution")).find("分组卷积") != std::string::npos);
  CHECK(std::string(tr("no such label, kept as is")) == "no such label, kept as is");
  CHECK(trid("Save PNG") == "保存 PNG###Save PNG");
  const char* a = tr("Playback");
  CHECK(a == tr("Playback"));  // the same pointer every frame: safe to keep
  set_ui_lang(UiLang::en);
}

TEST_CASE("i18n: every entry is non-empty, translated, and keeps its printf conversions") {
  const std::vector<TrEntry> entries = tr_entries();
  REQUIRE(entries.size() > 250);
  std::string zh_all;
  for (const TrEntry& e : entries) {
    INFO("entry: ", e.en);
    REQUIRE(e.en != nullptr);
    REQUIRE(e.zh != nullptr);
    CHECK(std::string(e.en).size() > 0);
    CHECK(std::string(e.zh).size() > 0);
    CHECK(conversions(e.en) == conversions(e.zh));
    // No positional %1$d: the formats stay readable and portable.
    CHECK(std::string(e.zh).find('$') == std::string::npos);
    zh_all += e.zh;
  }
  CHECK(tr_zh_text().size() == zh_all.size());  // the glyphs the CJK font loads
  CHECK(conversions("%d of %.2f%% and %s, %lld, %zu") ==
        std::vector<std::string>{"%d", "%.2f", "%s", "%lld", "%zu"});
}

TEST_CASE("i18n: every entry's English is a string literal in viz/ or nn/ (no stale entry)") {
  CHECK(string_literals("f(\"a \" \"b\\x41\", 'x', '\"'); // \"no\"\n \"c\\n\"") ==
        std::vector<std::string>{"a bA", "c\n"});
  const std::set<std::string> used = viz_literals();
  REQUIRE(used.size() > 500);
  for (const TrEntry& e : tr_entries()) {
    INFO("table entry not found in viz/ or nn/ *.cpp: ", e.en);
    CHECK(used.count(e.en) == 1);
  }
}

TEST_CASE("i18n: the formula tooltips translate in zh, and no key is in both halves of the table") {
  const std::vector<TrEntry>& formulas = tr_formula_entries();
  REQUIRE(formulas.size() > 80);
  std::set<std::string> keys;
  for (const TrEntry& e : tr_entries()) {
    INFO("key twice in viz/i18n.cpp and viz/i18n_formulas.cpp (or twice in one): ", e.en);
    CHECK(keys.insert(e.en).second);
  }
  set_ui_lang(UiLang::zh);
  for (const TrEntry& e : formulas) {
    INFO("entry: ", e.en);
    CHECK(std::string(tr(e.en)) == e.zh);
  }
  // The seed article's terms, and the formulas themselves kept intact.
  const std::string mac =
      tr("MAC = memory access cost in elements read + written: conv N\xC2\xB7(H\xC2\xB7W\xC2\xB7"
         "C_in + H_out\xC2\xB7W_out\xC2\xB7"
         "C_out) + K\xC2\xB7K\xC2\xB7"
         "C_in\xC2\xB7"
         "C_out/G; BN, ReLU, concat, shuffle 2\xC2\xB7numel; add 3\xC2\xB7numel; split 0 (views)");
  CHECK(mac.find("内存访问成本") != std::string::npos);
  CHECK(mac.find("K\xC2\xB7K\xC2\xB7"
                 "C_in\xC2\xB7"
                 "C_out/G") != std::string::npos);
  CHECK(std::string(tr("both 1x1 convs grouped (cm/g each), the 3x3 conv depthwise (9m)"))
            .find("深度卷积") != std::string::npos);
  set_ui_lang(UiLang::en);
}
