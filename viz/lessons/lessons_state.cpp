// viz/lessons/lessons_state.cpp - lesson discovery, README loading, and the CTest log
// parser of lessons_state.h. The folders come from compile definitions made by
// viz/CMakeLists.txt (SL_VIZ_SOURCE_DIR, SL_VIZ_BINARY_DIR), overridable by environment.
#include "viz/lessons/lessons_state.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace sl::viz {

static std::string read_text(const std::string& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok) *ok = bool(in);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

static std::string first_heading(const std::string& path) {
  bool ok = false;
  const std::string text = read_text(path, &ok);
  if (!ok) return "";
  for (const MdBlock& b : parse_markdown(text))
    if (b.kind == MdKind::heading) return spans_text(b.spans);
  return fs::path(path).parent_path().filename().string();
}

std::string lessons_dir() {
  if (const char* e = std::getenv("SHUFFLELAB_LESSONS_DIR"); e && *e)
    return fs::is_directory(e) ? e : "";
#ifdef SL_VIZ_SOURCE_DIR
  std::string d = std::string(SL_VIZ_SOURCE_DIR) + "/lessons";
  if (fs::is_directory(d)) return d;
#endif
  return "";
}

std::vector<LessonInfo> find_lessons(const std::string& dir) {
  std::vector<LessonInfo> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || name.size() < 4 || !std::isdigit((unsigned char)name[0]) ||
        !std::isdigit((unsigned char)name[1]) || name[2] != '_')
      continue;
    if (!fs::exists(e.path() / "README.md")) continue;
    LessonInfo l;
    l.number = name.substr(0, 2);
    l.dir = e.path().string();
    l.title_en = first_heading((e.path() / "README.md").string());
    if (fs::exists(e.path() / "README.zh.md"))
      l.title_zh = first_heading((e.path() / "README.zh.md").string());
    out.push_back(l);
  }
  std::sort(out.begin(), out.end(),
            [](const LessonInfo& a, const LessonInfo& b) { return a.dir < b.dir; });
  return out;
}

// [SECTION] the CTest log

const char* check_result_name(CheckResult r) {
  switch (r) {
    case CheckResult::passed: return "passed";
    case CheckResult::failed: return "failed";
    case CheckResult::not_solved: return "exercise not solved yet";
    case CheckResult::not_run: break;
  }
  return "not run yet";
}

// LastTest.log, per test:  "3/28 Testing: NAME" ... "<end of output>" "Test time = ..."
// "----" then the status line "Test Passed." / "Test Failed." / "Test Timeout" ...
std::map<std::string, CheckResult> parse_ctest_log(const std::string& log) {
  std::map<std::string, CheckResult> out;
  std::istringstream in(log);
  std::string line, name;
  bool unsolved = false, after_output = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t t = line.find(" Testing: ");
    if (t != std::string::npos && t > 0 && std::isdigit((unsigned char)line[0])) {
      name = line.substr(t + 10);
      unsolved = after_output = false;
      continue;
    }
    if (name.empty()) continue;
    if (line == "<end of output>") {
      after_output = true;
      continue;
    }
    if (!after_output) {
      if (line.find("not solved yet") != std::string::npos) unsolved = true;
      continue;
    }
    if (line.rfind("Test ", 0) == 0 && line.rfind("Test time", 0) != 0) {
      CheckResult r = line.rfind("Test Passed", 0) == 0 ? CheckResult::passed : CheckResult::failed;
      if (unsolved) r = CheckResult::not_solved;
      out[name] = r;
      name.clear();
    }
  }
  return out;
}

LessonChecks checks_for(const LessonInfo& l, const std::map<std::string, CheckResult>& log) {
  LessonChecks c;
  const auto lesson = log.find("lesson_" + fs::path(l.dir).filename().string());
  if (lesson != log.end()) c.lesson = lesson->second;
  c.has_exercise = fs::exists(fs::path(l.dir) / "check.cpp");
  const auto ex = log.find("exercise_" + l.number);
  if (c.has_exercise && ex != log.end()) c.exercise = ex->second;
  return c;
}

std::string exercise_results_dir() {
  if (const char* e = std::getenv("SHUFFLELAB_EXERCISE_RESULTS"); e && *e) return e;
#ifdef SL_VIZ_BINARY_DIR
  return std::string(SL_VIZ_BINARY_DIR) + "/Testing/exercises";
#else
  return "";
#endif
}

CheckResult parse_exercise_result(const std::string& text) {
  std::string first = text.substr(0, text.find('\n'));
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.pop_back();
  if (first == "passed") return CheckResult::passed;
  if (first == "failed") return CheckResult::failed;
  if (first == "not solved yet") return CheckResult::not_solved;
  return CheckResult::not_run;
}

std::string ctest_log_path() {
  if (const char* e = std::getenv("SHUFFLELAB_CTEST_LOG"); e && *e) return e;
#ifdef SL_VIZ_BINARY_DIR
  return std::string(SL_VIZ_BINARY_DIR) + "/Testing/Temporary/LastTest.log";
#else
  return "";
#endif
}

// [SECTION] LessonsState

void LessonsState::load() {
  loaded = true;
  dir = lessons_dir();
  lessons = find_lessons(dir);
  refresh_checks();
  select(std::clamp(selected, 0, std::max(0, int(lessons.size()) - 1)));
}

void LessonsState::refresh_checks() {
  log_path = ctest_log_path();
  bool ok = false;
  const std::string text = log_path.empty() ? "" : read_text(log_path, &ok);
  log_found = ok;
  results = parse_ctest_log(text);
  // make check-exercise's files: each one newer than the log replaces the log's line.
  results_dir = exercise_results_dir();
  std::error_code ec;
  const auto log_time = ok ? fs::last_write_time(log_path, ec) : fs::file_time_type::min();
  if (results_dir.empty() || !fs::is_directory(results_dir, ec)) return;
  for (const auto& e : fs::directory_iterator(results_dir, ec)) {
    const std::string name = e.path().filename().string();  // exercise_05.txt
    if (name.rfind("exercise_", 0) != 0 || e.path().extension() != ".txt") continue;
    const CheckResult r = parse_exercise_result(read_text(e.path().string()));
    if (r == CheckResult::not_run) continue;
    const std::string test = e.path().stem().string();
    if (!results.count(test) || e.last_write_time(ec) > log_time) results[test] = r;
  }
}

void LessonsState::select(int i) {
  blocks.clear();
  shown_path.clear();
  notice.clear();
  if (i < 0 || i >= int(lessons.size())) return;
  selected = i;
  const LessonInfo& l = lessons[i];
  std::string path = l.dir + "/README.md";
  if (lang == Lang::zh) {
    if (!cjk_font)
      notice = "No CJK font found (scripts/setup installs fonts-wqy-microhei): showing English.";
    else if (!fs::exists(l.dir + "/README.zh.md"))
      notice = "This lesson has no Chinese README yet: showing English.";
    else
      path = l.dir + "/README.zh.md";
  }
  bool ok = false;
  const std::string text = read_text(path, &ok);
  if (!ok) {
    notice = "cannot read " + path;
    return;
  }
  shown_path = path;
  // The README's "*[中文版](README.zh.md)*" line: the panel's language switch does that.
  std::string body;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!(line.rfind("*[", 0) == 0 && line.find("](README") != std::string::npos))
      body += line + "\n";
  blocks = parse_markdown(body);
}

void LessonsState::set_lang(Lang l) {
  lang = l;
  select(selected);
}

std::string LessonsState::zh_text() const {
  std::string all;
  for (const LessonInfo& l : lessons) all += read_text(l.dir + "/README.zh.md");
  return all;
}

bool LessonsState::select_number(const std::string& nn) {
  for (int i = 0; i < int(lessons.size()); ++i)
    if (lessons[i].number == nn) {
      select(i);
      return true;
    }
  return false;
}

}  // namespace sl::viz
