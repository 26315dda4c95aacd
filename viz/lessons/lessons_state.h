// viz/lessons/lessons_state.h - the Lessons panel's model without a window: which lessons
// exist (each numbered folder of lessons/ with a README in English and Chinese), their
// titles, the selected lesson parsed into Markdown blocks and its figures, the language,
// and the learner's last check results: CTest's log in the build tree and the files
// `make check-exercise` writes. Not here: drawing (panel_lessons.cpp), running the
// checks (the learner runs `ctest -L lesson` or `make check-exercise`; the panel reads).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "viz/lessons/images.h"
#include "viz/lessons/markdown.h"

namespace sl::viz {

struct LessonInfo {
  std::string number;    // "05"
  std::string dir;       // absolute path of lessons/05_group_conv
  std::string title_en;  // the README's first heading, "Lesson 05: group and depthwise convolution"
  std::string title_zh;  // README.zh.md's first heading; empty when there is none
};

// The lessons folder: $SHUFFLELAB_LESSONS_DIR, else <source dir>/lessons (the repository
// the app was built from). Returns "" when neither exists.
std::string lessons_dir();
// Every lessons/NN_*/ with a README.md, sorted by number. Empty for a missing folder.
std::vector<LessonInfo> find_lessons(const std::string& dir);

// [SECTION] the last check run
enum class CheckResult { not_run, passed, failed, not_solved };
const char* check_result_name(
    CheckResult r);  // "passed", "failed", "not run yet", "exercise not solved yet"

// CTest's LastTest.log as text -> the outcome of each test it ran. A test is `failed`
// unless its status line is "Test Passed."; an exercise whose output says "not solved
// yet" (its checker's exit 77, skipped by CTest) is `not_solved`.
std::map<std::string, CheckResult> parse_ctest_log(const std::string& log);

struct LessonChecks {
  CheckResult lesson = CheckResult::not_run;    // test lesson_NN_topic
  CheckResult exercise = CheckResult::not_run;  // test exercise_NN (lessons without one: not_run)
  bool has_exercise = false;                    // the lesson folder has check.cpp
};
LessonChecks checks_for(const LessonInfo& l, const std::map<std::string, CheckResult>& log);

// $SHUFFLELAB_CTEST_LOG, else <build dir>/Testing/Temporary/LastTest.log of the build the
// app came from.
std::string ctest_log_path();

// `make check-exercise N=NN` (scripts/check-exercise) writes exercise_NN.txt, one line
// "passed", "failed" or "not solved yet", into $SHUFFLELAB_EXERCISE_RESULTS, else
// <build dir>/Testing/exercises. A file newer than CTest's log wins over the log's line.
std::string exercise_results_dir();
CheckResult parse_exercise_result(const std::string& text);  // not_run when unrecognised

// [SECTION] what the panel keeps between frames
enum class Lang { en, zh };

struct LessonsState {
  std::string dir;  // lessons_dir() at load
  std::vector<LessonInfo> lessons;
  int selected = 0;
  Lang lang = Lang::en;
  bool cjk_font = false;        // set by the app: a CJK font was merged into the atlas
  std::vector<MdBlock> blocks;  // the selected README, parsed
  std::string shown_path;       // the file `blocks` came from
  std::string notice;           // e.g. "no CJK font: showing English"
  std::string log_path;         // ctest_log_path() at the last refresh
  std::string results_dir;      // exercise_results_dir() at the last refresh
  bool log_found = false;
  std::map<std::string, CheckResult> results;  // CTest's log, then newer exercise files
  ImageCache images;          // the READMEs' figures; the app clears it before the GL context goes
  bool images_ready = false;  // the panel gave `images` its OpenGL upload and release
  bool loaded = false;

  void load();            // find the lessons, read the log, parse the selection
  void refresh_checks();  // re-read the CTest log
  void select(int i);     // parse lesson i in the current language
  void set_lang(Lang l);
  bool select_number(const std::string& nn);  // "05" -> true when that lesson exists
  std::string zh_text() const;  // every README.zh.md's text: the glyphs the CJK font needs
};

}  // namespace sl::viz
