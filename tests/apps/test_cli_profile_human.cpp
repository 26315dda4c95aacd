// tests/apps/test_cli_profile_human.cpp - `shufflelab profile` for people: the kind column,
// the summary by op category, --blocks (one row per unit), --batch, --threads, and --time
// with its spread (median between min and max for every row) and the busy-machine note.
// Timings are never asserted as numbers, only their shape and order.
#include <cstdlib>
#include <vector>

#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;
static Run run(const std::string& args, bool merge = true) {
  return sl::test::run_cli(args, merge);
}

static int lines(const std::string& s) { return (int)std::count(s.begin(), s.end(), '\n'); }

TEST_CASE("profile: a kind column and the summary by op category") {
  Run r = run("profile --model v1-g3-0.5", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "kind"));
  CHECK(has(r.out, "stage2.1.gconv1                1x1 g=3"));
  CHECK(has(r.out, "stage2.0.dwconv                3x3 dw s2"));
  CHECK(has(r.out, "stage2.1.channel_shuffle       shuffle"));
  CHECK(has(r.out, "by category"));
  CHECK(has(r.out, "  grouped 1x1"));
  CHECK(has(r.out, "  data movement"));
  CHECK(has(r.out, "ops with 0 MAdds (what FLOPs ignore):"));
  CHECK(has(r.out, "add --time"));
}

TEST_CASE("profile --blocks: one row per unit") {
  Run layers = run("profile --model v2-1.0 --variant imagenet", false);
  Run blocks = run("profile --model v2-1.0 --variant imagenet --blocks", false);
  CHECK(blocks.code == 0);
  CHECK(lines(blocks.out) < lines(layers.out) / 3);
  CHECK(has(blocks.out, "stage2.0                       unit s2"));
  CHECK(has(blocks.out, "stage3.1                       unit s1"));
  CHECK(!has(blocks.out, "stage3.1.branch2"));
  CHECK(has(blocks.out, "144,907,992"));  // the same total
  Run csv = run("profile --model v2-1.0 --variant imagenet --blocks --csv", false);
  CHECK(csv.out.rfind("name,kind,out_shape,params,madds,mac\n", 0) == 0);
  CHECK(has(csv.out, "stage3.1,unit s1,\"(1,232,14,14)\","));
}

TEST_CASE("profile --batch and --threads") {
  Run r = run("profile --model v2-0.5 --batch 2 --threads 1 --json", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"input\":[2,3,32,32]"));
  CHECK(has(r.out, "\"batch\":2"));
  CHECK(has(r.out, "\"madds\":21804032"));  // 2 x 10,902,016 (docs/models.md, one image)
  CHECK(has(r.out, "\"kind\":\"3x3 s1\""));
  r = run("profile --model v2-0.5 --batch 2", false);
  CHECK(has(r.out, "for a batch of 2"));
  for (const char* bad : {"--batch 0", "--threads 0", "--batch x"}) {
    CAPTURE(bad);
    r = run(std::string("profile --model v2-0.5 ") + bad);
    CHECK(r.code == 2);
    CHECK(has(r.out, "error: "));
  }
}

// Every `"time_ms":T,"time_min_ms":LO,"time_max_ms":HI` in profile's JSON; a layer's row
// goes on with `,"kind"`. (Plain scanning: GCC 12 warns falsely inside <regex> at -O2.)
struct Timed {
  double t, lo, hi;
  bool layer;
};
static std::vector<Timed> timed_rows(const std::string& s) {
  const std::string k_t = "\"time_ms\":", k_lo = ",\"time_min_ms\":", k_hi = ",\"time_max_ms\":";
  const std::string k_kind = ",\"kind\"";
  std::vector<Timed> out;
  for (size_t p = s.find(k_t); p != std::string::npos; p = s.find(k_t, p + 1)) {
    char* end = nullptr;
    const double t = std::strtod(s.c_str() + p + k_t.size(), &end);
    size_t q = (size_t)(end - s.c_str());
    if (s.compare(q, k_lo.size(), k_lo) != 0) continue;
    const double lo = std::strtod(s.c_str() + q + k_lo.size(), &end);
    q = (size_t)(end - s.c_str());
    if (s.compare(q, k_hi.size(), k_hi) != 0) continue;
    const double hi = std::strtod(s.c_str() + q + k_hi.size(), &end);
    q = (size_t)(end - s.c_str());
    out.push_back({t, lo, hi, s.compare(q, k_kind.size(), k_kind) == 0});
  }
  return out;
}

TEST_CASE("profile --time: warm-up, median of repeats between min and max, spread, busy note") {
  Run r = run("profile --model v2-0.5 --time --repeats 3 --threads 1", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "median ms over 3 timed forward passes after one warm-up, on cpu, 1 thread"));
  CHECK(has(r.out, "spread"));
  CHECK(has(r.out, "+-"));
  // Either a total per pass or, on a busy machine, the reason there is none.
  CHECK((has(r.out, "ms per forward pass") || has(r.out, "the machine is busy")));
  r = run("profile --model v2-0.5 --time --repeats 3 --threads 1 --json", false);
  CHECK(r.code == 0);
  CHECK(has(r.out, "\"busy\":"));
  int rows = 0, layers = 0;
  for (const Timed& row : timed_rows(r.out)) {
    CHECK(row.lo <= row.hi);
    CHECK(row.t >= 0);
    ++rows;
    if (row.layer) {  // each layer's median lies between its fastest and slowest run
      CHECK(row.lo <= row.t);
      CHECK(row.t <= row.hi);
      ++layers;
    }
  }
  CHECK(rows > 100);  // every layer, block and stage, and the total
  CHECK(layers > 50);
}
