// tests/viz/test_viz_state_lessons.cpp - the Lessons panel's model without a window: the
// Markdown parser on small cases and on every real lesson README (English and Chinese:
// one title, every fenced block parsed as code, no fence or unclosed marker left in text,
// the two languages with the same sections), lesson discovery, and the CTest log parser
// on a fixture in LastTest.log's format. The drawing is checked by viz_screenshots_lessons.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/helpers.h"
#include "viz/lessons/lessons_state.h"

using namespace sl::viz;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count(const std::vector<MdBlock>& bs, MdKind k, int level = -1) {
  int n = 0;
  for (const MdBlock& b : bs) n += b.kind == k && (level < 0 || b.level == level);
  return n;
}

int fence_lines(const std::string& doc) {
  std::istringstream in(doc);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const size_t a = line.find_first_not_of(' ');
    n += a != std::string::npos && line.compare(a, 3, "```") == 0;
  }
  return n;
}

}  // namespace

TEST_CASE("markdown: inline code, bold, links; unclosed markers stay text") {
  const auto s = parse_inline("a `x.view(-1)` and **bold `c`** [link](u.md) 2 * 3 `open");
  REQUIRE(s.size() == 8);
  CHECK(s[0].text == "a ");
  CHECK((s[1].code && s[1].text == "x.view(-1)"));
  CHECK((s[3].bold && !s[3].code && s[3].text == "bold "));
  CHECK((s[4].bold && s[4].code && s[4].text == "c"));
  CHECK(s[5].text == " ");
  CHECK(s[6].text == "link");          // the link keeps its text, not its url
  CHECK(s[7].text == " 2 * 3 `open");  // `*` before a space is not emphasis
}

TEST_CASE("markdown: blocks of a small document") {
  const std::string doc =
      "# Title `t`\n\nOne line\nand its continuation.\n\n- a\n- b with\n  more\n  - nested\n\n"
      "1. first\n2. second\n\n```cpp\nint x = 1;\n\n  y();\n```\n![Fig. 1](figs/f1.png)\n---\n"
      "第一行\n第二行\n";
  const auto bs = parse_markdown(doc);
  REQUIRE(bs.size() == 11);
  CHECK(
      (bs[0].kind == MdKind::heading && bs[0].level == 1 && spans_text(bs[0].spans) == "Title t"));
  CHECK(spans_text(bs[1].spans) == "One line and its continuation.");
  CHECK((bs[2].kind == MdKind::bullet && spans_text(bs[2].spans) == "a"));
  CHECK(spans_text(bs[3].spans) == "b with more");
  CHECK((bs[4].kind == MdKind::bullet && bs[4].level == 1));
  CHECK((bs[6].kind == MdKind::numbered && bs[6].number == 2));
  CHECK(
      (bs[7].kind == MdKind::code && bs[7].lang == "cpp" && bs[7].code == "int x = 1;\n\n  y();"));
  CHECK((bs[8].kind == MdKind::image && bs[8].alt == "Fig. 1" && bs[8].path == "figs/f1.png"));
  CHECK(bs[9].kind == MdKind::rule);
  CHECK(spans_text(bs[10].spans) == "第一行第二行");  // Chinese lines join without a space
}

TEST_CASE("lessons: every README parses, in both languages, with the same sections") {
  const auto lessons = find_lessons(std::string(SL_SOURCE_DIR) + "/lessons");
  REQUIRE(lessons.size() >= 6);
  for (size_t i = 0; i < lessons.size(); ++i) {
    const LessonInfo& l = lessons[i];
    INFO(l.dir);
    char nn[3];
    std::snprintf(nn, sizeof nn, "%02d", int(i + 1));
    CHECK(l.number == nn);  // numbered 01, 02, ... without gaps
    CHECK(l.title_en.rfind("Lesson " + l.number, 0) == 0);
    CHECK(l.title_zh.find(l.number) != std::string::npos);
    int headings[2] = {0, 0};
    for (int zh = 0; zh < 2; ++zh) {
      const std::string doc = slurp(fs::path(l.dir) / (zh ? "README.zh.md" : "README.md"));
      REQUIRE(!doc.empty());
      const auto bs = parse_markdown(doc);
      REQUIRE(!bs.empty());
      CHECK((bs[0].kind == MdKind::heading && bs[0].level == 1));
      CHECK(count(bs, MdKind::heading, 1) == 1);
      CHECK(count(bs, MdKind::code) * 2 == fence_lines(doc));
      headings[zh] = count(bs, MdKind::heading);
      for (const MdBlock& b : bs)
        for (const MdSpan& s : b.spans) {
          CHECK(s.text.find("```") == std::string::npos);
          CHECK(s.text.find("**") == std::string::npos);
        }
    }
    CHECK(headings[0] == headings[1]);
  }
}

TEST_CASE("lessons: CTest's LastTest.log -> passed, failed, not solved, not run") {
  const std::string log =
      "Start testing: Nov 30 06:58 UTC\n"
      "----------------------------------------------------------\n"
      "13/28 Testing: lesson_05_group_conv\n13/28 Test: lesson_05_group_conv\n"
      "Command: \"/b/bin/lesson_05_group_conv\"\nOutput:\n"
      "----------------------------------------------------------\n  [ok] FLOPs / g\n"
      "<end of output>\nTest time =   0.01 sec\n"
      "----------------------------------------------------------\nTest Passed.\n"
      "\"lesson_05_group_conv\" end time: Nov 30 06:58 UTC\n\n"
      "19/28 Testing: exercise_05\n19/28 Test: exercise_05\nOutput:\n"
      "exercise 05: not solved yet (3 checks still throw \"not implemented\").\n"
      "<end of output>\nTest time =   0.01 sec\n"
      "----------------------------------------------------------\nTest Passed.\n\n"
      "20/28 Testing: exercise_06\nOutput:\n  [FAILED] Test Passed. is not a status here\n"
      "<end of output>\nTest time =   0.01 sec\n"
      "----------------------------------------------------------\nTest Failed.\n"
      "21/28 Testing: lesson_06_shufflenet_v1\nOutput:\n<end of output>\n"
      "Test time = 120.0 sec\n----------------------------------------------------------\n"
      "Test Timeout.\n";
  const auto r = parse_ctest_log(log);
  CHECK(r.size() == 4);
  CHECK(r.at("lesson_05_group_conv") == CheckResult::passed);
  CHECK(r.at("exercise_05") == CheckResult::not_solved);
  CHECK(r.at("exercise_06") == CheckResult::failed);
  CHECK(r.at("lesson_06_shufflenet_v1") == CheckResult::failed);
  CHECK(parse_ctest_log("").empty());

  const auto lessons = find_lessons(std::string(SL_SOURCE_DIR) + "/lessons");
  REQUIRE(lessons.size() >= 6);
  const LessonChecks c1 = checks_for(lessons[0], r);  // lesson 01: no exercise, not in the log
  CHECK((c1.lesson == CheckResult::not_run && !c1.has_exercise));
  const LessonChecks c5 = checks_for(lessons[4], r);
  CHECK((c5.lesson == CheckResult::passed && c5.has_exercise &&
         c5.exercise == CheckResult::not_solved));
  CHECK(checks_for(lessons[5], r).exercise == CheckResult::failed);
  CHECK(std::string(check_result_name(CheckResult::not_run)) == "not run yet");
}

TEST_CASE("lessons: the state selects by number and falls back to English without a CJK font") {
  setenv("SHUFFLELAB_LESSONS_DIR", (std::string(SL_SOURCE_DIR) + "/lessons").c_str(), 1);
  setenv("SHUFFLELAB_CTEST_LOG", "/nonexistent/LastTest.log", 1);
  LessonsState s;
  s.load();
  unsetenv("SHUFFLELAB_LESSONS_DIR");
  unsetenv("SHUFFLELAB_CTEST_LOG");
  CHECK(!s.log_found);
  REQUIRE(s.select_number("05"));
  CHECK(s.shown_path.find("05_group_conv/README.md") != std::string::npos);
  REQUIRE(s.blocks.size() > 2);  // the link to the other language is left to the switch
  CHECK(spans_text(s.blocks[1].spans).find("\xE4\xB8\xAD\xE6\x96\x87") == std::string::npos);
  CHECK(!s.select_number("99"));
  s.set_lang(Lang::zh);  // cjk_font is false: English, with a notice
  CHECK(s.shown_path.find("README.md") != std::string::npos);
  CHECK(s.notice.find("CJK") != std::string::npos);
  s.cjk_font = true;
  s.set_lang(Lang::zh);
  CHECK(s.shown_path.find("README.zh.md") != std::string::npos);
  CHECK(s.notice.empty());
  CHECK(s.zh_text().find("通道混洗") != std::string::npos);
}
