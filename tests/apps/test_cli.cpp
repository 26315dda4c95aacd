// tests/apps/test_cli.cpp - the `shufflelab` executable as a user runs it: exit codes,
// error and hint lines, --help, and `shuffle --json` per docs/commands.md.
#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
static Run run(const std::string& args, bool merge = true) {
  return sl::test::run_cli(args, merge);
}

TEST_CASE("shufflelab --help and unknown commands") {
  Run r = run("--help");
  CHECK(r.code == 0);
  CHECK(has(r.out, "shuffle"));
  r = run("frobnicate");
  CHECK(r.code == 2);
  CHECK(has(r.out, "error: unknown command 'frobnicate'"));
  CHECK(has(r.out, "hint: "));
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
