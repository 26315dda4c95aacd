// tests/apps/test_cli_bench.cpp - `shufflelab bench` as a user runs it: a --quick smoke run
// whose JSON lines carry the keys of docs/commands.md with positive, finite numbers, the text
// form's sections, --help, and the exit codes for a bad model (2) and --device cuda (1).
// Never asserts a speed: timings depend on the machine.
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/backend.h"
#include "tests/apps/run_cli.h"

using sl::test::has;
using sl::test::Run;

namespace {

// The JSON line whose "name" is `name` ("" when none).
std::string line_named(const std::string& out, const std::string& name) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (has(line, "{\"name\":\"" + name + "\"")) return line;
  return "";
}

// The number after "key": on `line`; NaN when the key is missing or not a number.
double number(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  const size_t at = line.find(k);
  if (at == std::string::npos) return std::nan("");
  const char* start = line.c_str() + at + k.size();
  char* end = nullptr;
  const double v = std::strtod(start, &end);
  return end == start ? std::nan("") : v;
}

}  // namespace

TEST_CASE("bench --quick --json: every line and key, positive and finite") {
  // Small batch and 1 thread: a smoke run, also under the sanitizers.
  Run r = sl::test::run_cli("bench --quick --json --batch 4 --threads 1", false);
  REQUIRE_MESSAGE(r.code == 0, r.out);
  struct Want {
    const char* line;
    std::vector<const char*> positive;  // > 0 and finite
    std::vector<const char*> present;   // >= 0 and finite
  };
  const std::vector<Want> wants = {
      {"train_step", {"batch", "threads", "params", "img_per_s", "step_ms", "steps"}, {}},
      {"infer", {"batch", "latency_ms", "plan_latency_ms"}, {"plan_max_abs_diff"}},
      {"shuffle", {"groups", "elements", "bytes_moved", "gb_per_s", "copy_gb_per_s"}, {}},
      {"madds",
       {"forward_madds_per_image", "train_madds_per_s", "infer_madds_per_s",
        "fma_gflops_per_thread", "fma_lanes", "peak_madds_per_s", "train_fraction_of_peak"},
       {}},
      {"memory",
       {"peak_rss_mb", "tensor_cached_bytes", "tensor_peak_in_use_bytes"},
       {"heap_allocs_per_step", "storage_allocs_per_step", "tensor_in_use_bytes"}},
  };
  for (const Want& w : wants) {
    const std::string line = line_named(r.out, w.line);
    REQUIRE_MESSAGE(!line.empty(), "no {\"name\":\"", w.line, "\"} line in:\n", r.out);
    for (const char* k : w.positive) {
      const double v = number(line, k);
      CHECK_MESSAGE((std::isfinite(v) && v > 0), w.line, ".", k, " = ", v);
    }
    for (const char* k : w.present) {
      const double v = number(line, k);
      CHECK_MESSAGE((std::isfinite(v) && v >= 0), w.line, ".", k, " = ", v);
    }
  }
  CHECK(has(line_named(r.out, "train_step"), "\"model\":\"v2-0.5\""));
  CHECK(has(line_named(r.out, "memory"), "\"heap_counted\":true"));
  CHECK(number(line_named(r.out, "infer"), "batch") == 1);
  // the plan computes what the eval path computes (nn/infer.h; tests/nn/test_infer.cpp)
  CHECK(number(line_named(r.out, "infer"), "plan_max_abs_diff") < 1e-3);
}

TEST_CASE("bench: the text form names each measurement and its formula") {
  Run r = sl::test::run_cli("bench --quick --batch 2 --threads 1 --model v1-g3-0.5", false);
  REQUIRE_MESSAGE(r.code == 0, r.out);
  for (const char* part : {"bench v1-g3-0.5", "training step", "img/s", "inference",
                           "inference plan", "channel shuffle", "of copy", "GMAdd/s", "FMA peak",
                           "heap", "peak RSS", "scripts/bench_torch_train.py"})
    CHECK_MESSAGE(has(r.out, part), part);
}

TEST_CASE("bench: the OpenMP wait setting, shufflelab's default and the user's own") {
  // Unset, shufflelab sets a ~30 us spin, then sleep (apps/main.cpp); the header says so.
  Run r = sl::test::run_cli("bench --quick --batch 2 --threads 1", false,
                            "-u OMP_WAIT_POLICY -u GOMP_SPINCOUNT");
  REQUIRE_MESSAGE(r.code == 0, r.out);
  CHECK_MESSAGE(has(r.out, "OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=3000\n"), r.out);
  // A variable the user sets wins, and the other one stays unset.
  r = sl::test::run_cli("bench --quick --batch 2 --threads 1", false,
                        "-u GOMP_SPINCOUNT OMP_WAIT_POLICY=active");
  REQUIRE_MESSAGE(r.code == 0, r.out);
  CHECK_MESSAGE(has(r.out, "OMP_WAIT_POLICY=active\n"), r.out);
  r = sl::test::run_cli("bench --quick --batch 2 --threads 1", false,
                        "-u OMP_WAIT_POLICY GOMP_SPINCOUNT=0");
  REQUIRE_MESSAGE(r.code == 0, r.out);
  CHECK_MESSAGE(has(r.out, "OMP_WAIT_POLICY=(libgomp default) GOMP_SPINCOUNT=0\n"), r.out);
}

TEST_CASE("bench: --help, and errors with exit codes") {
  Run r = sl::test::run_cli("bench --help");
  CHECK(r.code == 0);
  CHECK(has(r.out, "usage: shufflelab bench"));
  CHECK(has(r.out, "--quick"));
  r = sl::test::run_cli("bench --model v3-1.0 --quick");
  CHECK(r.code == 2);
  CHECK(has(r.out, "error: "));
  if (sl::cuda_available()) return;  // with a GPU it runs: tests/core/test_cuda_host.cpp
  r = sl::test::run_cli("bench --quick --device cuda");
  CHECK(r.code == 1);
  CHECK(has(r.out, "--device cpu"));
}
