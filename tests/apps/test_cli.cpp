// tests/apps/test_cli.cpp - the `shufflelab` executable as a user runs it: exit codes,
// error and hint lines, --help, and `shuffle --json` per docs/commands.md.
#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
static Run run(const std::string& args, bool merge = true) { return sl::test::run_cli(args, merge); }

TEST_CASE("shufflelab --help and unknown commands") {
  Run r = run("--help");
  CHECK(r.code == 0);
  CHECK(has(r.out, "shuffle"));
  r = run("frobnicate");
  CHECK(r.code == 2);
  CHECK(has(r.out, "error: unknown command 'frobnicate'"));
  CHECK(has(r.out, "hint: "));
}

TEST_CASE("shuffle: terminal walkthrough") {
  Run r = run("shuffle --channels 8 --groups 2", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "(1,2,4,1,1)"));  // the view
  CHECK(has(r.out, "(8,1,4,1,1)"));  // transposed strides
  CHECK(has(r.out, "yes, 32 bytes"));  // contiguous copies 8 floats
  CHECK(has(r.out, "[0 4 | 1 5 | 2 6 | 3 7]"));
  CHECK(run("shuffle --help").code == 0);
}

TEST_CASE("shuffle --json follows cli.md") {
  Run r = run("shuffle --channels 6 --groups 3 --json", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"channels\":6"));
  CHECK(has(r.out, "\"groups\":3"));
  CHECK(has(r.out, "\"order\":[0,2,4,1,3,5]"));
  CHECK(has(r.out, "{\"op\":\"transpose(1,2)\",\"shape\":[1,2,3,1,1],\"strides\":[6,1,2,1,1],\"copies\":false"));
  CHECK(has(r.out, "{\"op\":\"contiguous\",\"shape\":[1,2,3,1,1],\"strides\":[6,3,1,1,1],\"copies\":true"));
}

TEST_CASE("shuffle: usage errors exit 2 with a message naming the numbers") {
  Run r = run("shuffle --channels 6 --groups 4");
  CHECK(r.code == 2);
  CHECK(has(r.out, "error: shuffle: channels C = 6 is not divisible by groups g = 4"));
  CHECK(has(r.out, "hint: run 'shufflelab shuffle --help'"));
  CHECK(run("shuffle --channels x").code == 2);
  CHECK(run("shuffle --bogus").code == 2);
  CHECK(run("shuffle --channels").code == 2);
  CHECK(run("shuffle --groups 0").code == 2);
}
