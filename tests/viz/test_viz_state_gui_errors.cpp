// tests/viz/test_viz_state_gui_errors.cpp - `shufflelab gui` failing politely, without
// a window: an unknown panel or a Shuffle example outside the panel's ranges is a usage
// error (exit 2, one `error:` line, at most a `hint:` after it); no display is a runtime
// error (exit 1, exactly one `error:` line), never a crash. Part of the test_viz_state binary.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/helpers.h"
#include "viz/app.h"

namespace {

struct Run {
  int code;  // exit status; -1 when killed by a signal (a crash)
  std::vector<std::string> err_lines;
};

// Runs `ENV shufflelab gui ARGS`, keeping only stderr. Settings go to a scratch
// directory, never the user's ~/.config.
Run run_gui(const std::string& env, const std::string& args) {
  const std::string cfg = (std::filesystem::temp_directory_path() / "sl_viz_test_config").string();
  const std::string cmd = "env XDG_CONFIG_HOME=" + cfg + " " + env + " " +
                          std::string(SL_SHUFFLELAB_BIN) + " gui " + args + " 2>&1 >/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string err;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) err.append(buf, n);
  const int status = pclose(p);
  Run r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, {}};
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) r.err_lines.push_back(line);
  return r;
}

}  // namespace

TEST_CASE("gui: an unknown panel exits 2 with one error line") {
  const Run r = run_gui("", "--panel Nope --screenshot /tmp/never.png --frames 1");
  CHECK(r.code == 2);
  REQUIRE(!r.err_lines.empty());
  CHECK(r.err_lines[0].rfind("error: ", 0) == 0);
  CHECK(r.err_lines[0].find("Nope") != std::string::npos);
  for (size_t i = 1; i < r.err_lines.size(); ++i) CHECK(r.err_lines[i].rfind("hint: ", 0) == 0);
  // The library entry says the same without the CLI in between.
  sl::viz::AppOptions opt;
  opt.panel = "Nope";
  CHECK(sl::viz::run_app(opt) == 2);
}

TEST_CASE("gui: without a display it exits 1 with exactly one error line") {
  const Run r = run_gui("env -u DISPLAY -u WAYLAND_DISPLAY", "");
  CHECK(r.code == 1);
  REQUIRE(r.err_lines.size() == 1);
  CHECK(r.err_lines[0].rfind("error: ", 0) == 0);
  const Run shot = run_gui("env -u DISPLAY -u WAYLAND_DISPLAY",
                           "--panel Shuffle --screenshot /tmp/never.png --frames 1");
  CHECK(shot.code == 1);
  CHECK(shot.err_lines.size() == 1);
}

TEST_CASE("gui: bad flags are usage errors") {
  CHECK(run_gui("", "--frobnicate").code == 2);
  CHECK(run_gui("", "--size 12").code == 2);
  CHECK(run_gui("", "--frames 3").code == 2);  // --frames needs --screenshot
  CHECK(run_gui("", "--help").code == 0);
}

TEST_CASE("gui: the Shuffle panel's example flags") {
  const std::string no_display = "env -u DISPLAY -u WAYLAND_DISPLAY";
  // Valid flags get as far as opening a window, which fails without a display: exit 1.
  CHECK(run_gui(no_display, "--shape 1x12x1x4 --groups 3 --step fail --scale 1.5 "
                            "--screenshot /tmp/never.png --frames 1")
            .code == 1);
  CHECK(run_gui(no_display, "--channels 8 --batch 1 --height 3 --width 1 --step 2.5 "
                            "--screenshot /tmp/never.png")
            .code == 1);
  // Outside the panel's ranges, or inconsistent: exit 2 before any window.
  Run r = run_gui(no_display, "--channels 100");
  CHECK(r.code == 2);
  REQUIRE(!r.err_lines.empty());
  CHECK(r.err_lines[0] == "error: shuffle panel: C = 100 is outside 2..64");
  r = run_gui(no_display, "--channels 6 --groups 4");
  CHECK(r.code == 2);
  CHECK(r.err_lines[0].find("is not divisible by groups g = 4") != std::string::npos);
  CHECK(run_gui(no_display, "--shape 3x4x2x2").code == 2);  // N = 3 > 2
  CHECK(run_gui(no_display, "--height 5").code == 2);       // H = 5 > 4
  CHECK(run_gui(no_display, "--shape 2x4x2").code == 2);    // malformed
  CHECK(run_gui(no_display, "--step 5").code == 2);
  CHECK(run_gui(no_display, "--step later").code == 2);
  CHECK(run_gui(no_display, "--scale 9").code == 2);
  // The library entry refuses the same example without the CLI in between.
  sl::viz::AppOptions opt;
  opt.shuffle.C = 7;
  CHECK(sl::viz::run_app(opt) == 2);
}
