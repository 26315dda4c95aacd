// lessons/09_g2_g3/main.cpp - the lesson's program for guidelines G2 and G3: a 1x1 group
// conv at fixed multiply-adds needs more MAC as its groups grow (nn/cost against the formula);
// Tables 2 and 3 re-run on this CPU beside the paper's ARM and GPU columns; the op calls that
// fragmentation adds; why the paper's two devices disagree on G3, and G3 on this machine's GPU
// where CUDA runs. Times are printed, never asserted; exit 1 if a claim fails. `--precise`
// times 21 passes instead of 3. Not a test suite: tests/nn/test_guidelines.cpp is.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "lessons/check.h"
#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"

using namespace sl;
using lesson::claim;

// One table at the first width column: the paper's ARM channel counts and batch 1 on the
// CPU, its GPU counts and batch 8 on CUDA (as `shufflelab guidelines` does).
static GuidelineTable run(Guideline g, int repeats, Device d = Device::cpu) {
  GuidelineTable t;
  t.guideline = g;
  const int64_t batch = d == Device::cuda ? 8 : 1;
  t.rows = measure_configs(guideline_configs(g, d, 0, batch), d, 1, repeats);
  normalise_table(t, d);
  return t;
}

static bool timed(const GuidelineTable& t) {
  bool ok = !t.rows.empty();
  for (const GuidelineRow& r : t.rows) ok = ok && std::isfinite(r.time_ms) && r.time_ms > 0;
  return ok;
}

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  const bool precise = argc > 1 && std::strcmp(argv[1], "--precise") == 0;
  const int repeats = precise ? 21 : 3;  // timed passes, each after one untimed pass that warms up
  const int64_t side = 56, hw = side * side, B = hw * 64 * 64;  // the paper's ARM g = 1 row
  std::printf("1. G2: one 1x1 group conv c -> c on 56x56, B held near %lld multiply-adds\n",
              (long long)B);
  std::printf("   %3s %5s %10s %9s  %s\n", "g", "c", "MAdds", "MAC", "h*w*c + B*g/c + B/(h*w)");
  bool formula = true, growing = true;
  int64_t last = 0;
  for (int64_t g : {1, 2, 4, 8, 16}) {
    const G2Point pt = g2_point(g, side, B);
    const double paper = double(hw * pt.c) + double(pt.madds) * double(g) / double(pt.c) +
                         double(pt.madds) / double(hw);
    std::printf("   %3lld %5lld %10lld %9lld  %.0f\n", (long long)g, (long long)pt.c,
                (long long)pt.madds, (long long)pt.mac, paper);
    const Conv2dShape s =
        conv2d_shape({1, pt.c, side, side}, {pt.c, pt.c / g, 1, 1}, {.groups = g});
    formula = formula && pt.mac == conv2d_mac(s) && pt.mac == 2 * hw * pt.c + pt.c * pt.c / g &&
              std::fabs(paper - double(pt.mac)) < 0.5;
    growing = growing && pt.mac > last;
    last = pt.mac;
  }
  claim(formula,
        "MAC = h*w*2c + c*c/g = nn/cost's conv2d_mac = the paper's h*w*c1 + B*g/c1 + B/(h*w)");
  claim(growing, "at (nearly) the same B, every doubling of g costs more MAC: wider maps to read");

  std::printf("\n2. the paper's Table 2 re-run here (10 blocks, 56x56, batch 1, CPU)\n");
  const GuidelineTable t2 = run(Guideline::g2, repeats);
  std::printf("   %-4s %4s %11s %10s %8s %9s %9s %9s %9s\n", "", "c", "MAdds", "MAC", "time ms",
              "images/s", "ours norm", "ARM norm", "GPU norm");
  bool costs = true;
  for (const GuidelineRow& r : t2.rows) {
    const int64_t c = r.config.c1, g = r.config.groups;
    std::printf("   %-4s %4lld %11lld %10lld %8.2f %9.1f %9.2f %9.2f %9.2f  %s\n",
                r.config.label.c_str(), (long long)c, (long long)r.madds, (long long)r.mac,
                r.time_ms, r.per_s, r.measured_norm, r.paper_arm_norm, r.paper_gpu_norm,
                r.trend.c_str());
    costs = costs && r.madds == 10 * hw * c * c / g && r.mac == 10 * (2 * hw * c + c * c / g);
  }
  claim(costs, "each row's MAdds and MAC, recorded op by op, are 10 x the formulas of part 1");
  claim(timed(t2), str_cat("every row was timed (median of ", repeats, " passes)"));

  std::printf("\n3. G3: the same work as 1, 2 or 4 convolutions, in series or in parallel\n");
  const GuidelineTable t3 = run(Guideline::g3, repeats);
  std::printf("   %-20s %6s %11s %8s %9s %9s %9s %9s\n", "", "calls", "MAdds", "time ms",
              "images/s", "ours norm", "ARM norm", "GPU norm");
  bool calls = true;
  for (const GuidelineRow& r : t3.rows) {
    std::printf("   %-20s %6d %11lld %8.2f %9.1f %9.2f %9.2f %9.2f  %s\n", r.config.label.c_str(),
                r.op_calls, (long long)r.madds, r.time_ms, r.per_s, r.measured_norm,
                r.paper_arm_norm, r.paper_gpu_norm, r.trend.c_str());
    const int concat = r.config.parallel && r.config.fragments > 1 ? 1 : 0;
    calls = calls && r.op_calls == 10 * (r.config.fragments + concat);
  }
  claim(calls, "n fragments make n op calls per block (plus a concat when parallel): 10 to 50 "
               "launches for the same arithmetic");
  const double spread = double(t3.rows[2].madds) / double(t3.rows[0].madds);
  claim(std::fabs(spread - 1) < 0.05, str_cat("4 fragments in series do ", spread,
                                              "x the multiply-adds of one: FLOPs barely move"));
  claim(timed(t3), str_cat("every row was timed (median of ", repeats, " passes)"));

  std::printf("\n4. why the paper's GPU and ARM disagree on G3 (its own numbers, c = 128 / 64)\n");
  const PaperTable& p3 = paper_table(Guideline::g3);
  bool gpu_worse = true;
  for (size_t i = 1; i < p3.rows.size(); ++i) {
    const double gpu = p3.rows[i].gpu[0] / p3.rows[0].gpu[0];
    const double arm = p3.rows[i].arm[0] / p3.rows[0].arm[0];
    std::printf("   %-20s GPU %.2f   ARM %.2f\n", p3.rows[i].label, gpu, arm);
    gpu_worse = gpu_worse && gpu < arm;
  }
  claim(gpu_worse, "every fragmented row loses more on the GPU than on the ARM core");
  std::printf("   A GPU spreads one kernel over thousands of threads; a small 1x1 conv cannot\n"
              "   fill it, and each extra fragment adds a launch and a sync. One CPU core runs\n"
              "   one op at a time anyway, and pays a fragment only its call overhead.\n");

  // This machine's own GPU, where there is one: the same table with the paper's GPU counts.
  const std::string no_gpu = device_unavailable_reason(Device::cuda);
  if (!no_gpu.empty()) {
    std::printf("   G3 on a GPU here: skipped (%s)\n", no_gpu.c_str());
  } else {
    std::printf("\n   G3 on this machine's GPU (c = 128, batch 8):\n");
    const GuidelineTable g = run(Guideline::g3, repeats, Device::cuda);
    for (const GuidelineRow& r : g.rows)
      std::printf("   %-20s %6d calls %8.3f ms  ours %.2f  paper GPU %.2f  %s\n",
                  r.config.label.c_str(), r.op_calls, r.time_ms, r.measured_norm, r.paper_gpu_norm,
                  r.trend.c_str());
    claim(timed(g), "every row was timed on the GPU as well");
  }
  return lesson::failures() == 0 ? 0 : 1;
}
