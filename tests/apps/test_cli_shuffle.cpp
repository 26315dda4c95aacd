// tests/apps/test_cli_shuffle.cpp - `shufflelab shuffle` as a user runs it: the article's
// example (x of shape 2x4x2x2, G = 2) by default with its channel order in every sample,
// the read path and the failing view, --shape and the single-size flags, the JSON of
// docs/commands.md, and usage errors. The trace itself is tested in tests/nn.
#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
static Run run(const std::string& args, bool merge = true) {
  return sl::test::run_cli(args, merge);
}

TEST_CASE("shuffle: the article's example by default") {
  const Run r = run("shuffle", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "x (2,4,2,2) in G = 2 groups"));
  CHECK(has(r.out, "(2,2,2,2,2)      (16,8,4,2,1)"));  // the view
  CHECK(has(r.out, "(2,2,2,2,2)      (16,4,8,2,1)"));  // the transpose swaps strides
  CHECK(has(r.out, "1 copy, 128 bytes"));              // contiguous copies 32 floats once
  CHECK(has(r.out, "0 8 | 4 12  ||  16 24 | 20 28"));  // the read path, per sample
  CHECK(has(r.out, "sample 0   [0 2 | 1 3]"));
  CHECK(has(r.out, "sample 1   [0 2 | 1 3]"));
  CHECK(has(r.out, "view: (2,2,2,2,2) with strides (16,4,8,2,1) cannot be viewed as (2,4,2,2) "
                   "without a copy; call contiguous() first or use reshape()"));
  CHECK(has(r.out, "numel / (N*H*W) = 32 / 8 = 4 = C"));
  CHECK(has(r.out, "y.view({2, -1, 2, 2})"));
  CHECK(run("shuffle --help").code == 0);
}

TEST_CASE("shuffle --json: the article's numbers per sample") {
  const Run r = run("shuffle --json", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"channels\":4,\"groups\":2,\"shape\":[2,4,2,2]"));
  CHECK(has(r.out, "\"order\":[0,2,1,3]"));
  CHECK(has(r.out, "\"order_per_sample\":[[0,2,1,3],[0,2,1,3]]"));
  CHECK(has(r.out, "\"read_offsets\":[0,8,4,12,16,24,20,28]"));
  CHECK(has(r.out,
            "{\"op\":\"transpose\",\"shape\":[2,2,2,2,2],\"strides\":[16,4,8,2,1],\"copies\":0,"
            "\"bytes_copied\":0,\"shares_input\":true"));
  CHECK(has(r.out,
            "{\"op\":\"contiguous\",\"shape\":[2,2,2,2,2],\"strides\":[16,8,4,2,1],\"copies\":1,"
            "\"bytes_copied\":128,\"shares_input\":false"));
  CHECK(has(r.out, "\"view_error\":\"view: (2,2,2,2,2) with strides (16,4,8,2,1)"));
}

TEST_CASE("shuffle: --shape and the single-size flags say the same thing") {
  const Run a = run("shuffle --shape 2x4x2x2 --groups 2 --json", false);
  const Run b = run("shuffle --batch 2 --channels 4 --height 2 --width 2 --json", false);
  CHECK(a.code == 0);
  CHECK(a.out == b.out);
  CHECK(run("shuffle --shape 2x4x2x2 --channels 4").code == 0);  // repeating is fine

  const Run r = run("shuffle --channels 8 --groups 2 --batch 1 --height 1 --width 1", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "(1,2,4,1,1)"));  // the view
  CHECK(has(r.out, "(8,1,4,1,1)"));  // transposed strides
  CHECK(has(r.out, "1 copy, 32 bytes"));
  CHECK(has(r.out, "sample 0   [0 4 | 1 5 | 2 6 | 3 7]"));

  const Run j = run("shuffle --shape 1x6x1x3 --groups 3 --json", false);
  CHECK(has(j.out, "\"order\":[0,2,4,1,3,5]"));
  CHECK(has(j.out,
            "{\"op\":\"transpose\",\"shape\":[1,2,3,1,3],\"strides\":[18,3,6,3,1],\"copies\":0"));
}

TEST_CASE("shuffle: G = C is the identity, no copy, and view works without contiguous()") {
  const Run r = run("shuffle --channels 4 --groups 4 --json", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"order\":[0,1,2,3]"));
  CHECK(has(r.out, "\"view_error\":\"\""));
  CHECK_FALSE(has(r.out, "\"copies\":1"));
}

TEST_CASE("shuffle: bad shapes are usage errors naming the numbers") {
  Run r = run("shuffle --shape 2x4x2");
  CHECK(r.code == 2);
  CHECK(has(r.out, "error: shuffle: --shape wants NxCxHxW, for example 2x4x2x2, got '2x4x2'"));
  r = run("shuffle --shape 2x4x2x2 --channels 8");
  CHECK(r.code == 2);
  CHECK(has(r.out, "--channels 8 disagrees with --shape 2x4x2x2"));
  r = run("shuffle --height 0");
  CHECK(r.code == 2);
  CHECK(has(r.out, "every size must be at least 1"));
  r = run("shuffle --shape 2x3x2x2");  // G = 2 does not divide C = 3
  CHECK(r.code == 2);
  CHECK(has(r.out, "channels C = 3 is not divisible by groups g = 2"));
  CHECK(run("shuffle --shape 64x4096x64x64").code == 2);  // too big for a walkthrough
}
