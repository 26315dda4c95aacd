// tests/apps/test_cli_profile.cpp - `shufflelab profile` as a user runs it: the table's
// named units and totals, the JSON keys of docs/commands.md with models.md's numbers,
// CSV, --time, and exit codes 2 (usage) with error/hint lines. The numbers themselves are
// tested in tests/nn/test_models.cpp; here only that the command shows them.
#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
static Run run(const std::string& args, bool merge = true) {
  return sl::test::run_cli(args, merge);
}

TEST_CASE("profile: the default table names its units and shows blocks and totals") {
  Run r = run("profile --model v2-0.5", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "MAdds"));
  CHECK(has(r.out, "MAC (elements)"));
  CHECK(has(r.out, "stage2.1.branch2.3"));
  CHECK(has(r.out, "  = stage2.1"));
  CHECK(has(r.out, "352,042"));
  CHECK(has(r.out, "10,902,016"));
  CHECK(has(r.out, "10.90 M MAdds"));
}

TEST_CASE("profile --json: keys of cli.md, numbers of models.md") {
  Run r = run("profile --model v2-1.0 --variant imagenet --json", false);
  CHECK(r.code == 0);
  for (const char* key :
       {"\"model\":\"v2-1.0\"", "\"variant\":\"imagenet\"", "\"params\":2278604",
        "\"madds\":144907992", "\"mac\":", "\"layers\":[{\"name\":\"conv1.0\",\"type\":\"conv2d\"",
        "\"out_shape\":[1,24,112,112]", "\"blocks\":[{\"name\":\"conv1\"",
        "{\"name\":\"stage2.1.branch2.0\",\"type\":\"conv2d\",\"out_shape\":[1,58,28,28],"
        "\"params\":3364,\"madds\":2637376,\"mac\":94308"})
    CHECK_MESSAGE(has(r.out, key), key);
  CHECK(!has(r.out, "time_ms"));
  r = run("profile --model v1-g3-0.5 --json --time --repeats 1", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"time_ms\":"));
  CHECK(has(r.out, "\"params\":242698"));
}

TEST_CASE("profile --csv: one row per layer") {
  Run r = run("profile --model v1-g8-0.5 --csv", false);
  CHECK(r.code == 0);
  CHECK(r.out.rfind("name,block,type,out_shape,params,madds,mac,kind,category\n", 0) == 0);
  CHECK(has(r.out, "stage2.0.gconv1,stage2.0,conv2d,\"(1,48,32,32)\""));
}

TEST_CASE("profile: usage errors exit 2 with error and hint lines") {
  for (const char* args :
       {"profile", "profile --model v1-g2-0.5", "profile --model v3-1.0",
        "profile --model v2-1.0 --variant mnist", "profile --model v2-1.0 --json --csv",
        "profile --model v2-1.0 --frobnicate"}) {
    CAPTURE(args);
    Run r = run(args);
    CHECK(r.code == 2);
    CHECK(has(r.out, "error: "));
    CHECK(has(r.out, "hint: "));
  }
  Run r = run("profile --model v1-g2-0.5");
  CHECK(has(r.out, "stage2.0.gconv2: C_in = 25 and C_out = 76 must both be divisible by groups 2"));
  r = run("profile --help", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "--model"));
}
