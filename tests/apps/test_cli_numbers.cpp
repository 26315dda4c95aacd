// tests/apps/test_cli_numbers.cpp - numbers on the command line (apps/cli.h): out of range
// is a usage error that says so (never a clamped value), "-1" is not a hidden "all", and
// counts have upper bounds; plus `gui --screenshot` failing to write (exit 1, no
// truncated PNG). Not here: train/eval flags that need data (tests/nn/test_train_cli.cpp).
#include <cstdlib>
#include <filesystem>

#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
using sl::test::run_cli;

TEST_CASE("an integer beyond int64 is out of range, not clamped") {
  Run r = run_cli("shuffle --channels 99999999999999999999999 --groups 2");
  CHECK(r.code == 2);
  CHECK(has(r.out, "--channels 99999999999999999999999 is out of range"));
  CHECK_FALSE(has(r.out, "9223372036854775807,"));
  r = run_cli("shuffle --channels -99999999999999999999999 --groups 2");
  CHECK(r.code == 2);
  CHECK(has(r.out, "out of range"));
  r = run_cli("profile --model v2-0.5 --repeats 99999999999999999999");
  CHECK(r.code == 2);
}

TEST_CASE(
    "profile --classes: -1 and a billion are usage errors (exit 2), not 'all' or out of memory") {
  Run r = run_cli("profile --model v2-0.5 --classes -1");
  CHECK(r.code == 2);
  CHECK(has(r.out, "--classes must be between 1 and 100000, got -1"));
  r = run_cli("profile --model v2-0.5 --classes 1000000000");
  CHECK(r.code == 2);
  CHECK(has(r.out, "got 1000000000"));
  CHECK(run_cli("profile --model v2-0.5 --classes 100 --json").code == 0);
}

TEST_CASE("gui --screenshot: a failed write exits 1 with the reason and leaves no truncated PNG") {
  if (run_cli("gui --help").code != 0 || std::system("command -v xvfb-run > /dev/null 2>&1") != 0) {
    MESSAGE("skipped: no GUI in this build, or no xvfb-run");
    return;
  }
  const std::string dir = (std::filesystem::temp_directory_path() / "sl_test_png_write").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // -f: xvfb-run keeps its X authority file in our folder instead of a temporary folder of
  // its own, whose removal at exit was seen to fail now and then (xvfb-run then exits 5).
  const std::string gui = "XDG_CONFIG_HOME=" + dir + " xvfb-run -a -f " + dir + "/xauth " +
                          std::string(SL_SHUFFLELAB_BIN) +
                          " gui --panel Shuffle --frames 2 --size 640x480 --screenshot ";
  auto run_gui = [](const std::string& cmd) {
    const int s = std::system((cmd + " > /dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(run_gui(gui + "/dev/full") == 1);  // a device: refused, never replaced
  CHECK(run_gui("SHUFFLELAB_FAULT=fail:write:full.png " + gui + dir + "/full.png") ==
        1);  // a full disk
  CHECK_FALSE(std::filesystem::exists(dir + "/full.png"));
  CHECK_FALSE(std::filesystem::exists(dir + "/full.png.tmp"));
  CHECK(run_gui(gui + dir + "/no/such/folder/x.png") == 1);
  CHECK(run_gui(gui + dir + "/ok.png") == 0);
  CHECK(std::filesystem::file_size(dir + "/ok.png") > 1000);
  std::filesystem::remove_all(dir);
}
