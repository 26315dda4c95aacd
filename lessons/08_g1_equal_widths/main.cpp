// lessons/08_g1_equal_widths/main.cpp - the lesson's program for guideline G1: at a fixed
// budget of multiply-adds B, a 1x1 convolution's memory access cost MAC = hw(c1 + c2) +
// c1*c2 is smallest when c1 = c2 (the AM-GM bound), checked with nn/cost's numbers; then the
// paper's Table 1 experiment re-run on this CPU (nn/guidelines.h) beside the paper's
// columns. Times are printed, never asserted. Exit 1 if a claim fails. `--precise` times 21
// passes instead of 3. Not a test suite: tests/nn/test_guidelines.cpp is.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "lessons/check.h"
#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"

using namespace sl;
using lesson::claim;

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  const bool precise = argc > 1 && std::strcmp(argv[1], "--precise") == 0;
  // The paper's ARM x1 setting: 56 x 56 maps, c1 = c2 = 32, so B = 56*56*32*32.
  const int64_t side = 56, hw = side * side, B = hw * 32 * 32;
  std::printf("1. one 1x1 conv c1 -> c2 on 56x56 with B = h*w*c1*c2 = %lld multiply-adds\n",
              (long long)B);
  std::printf("   %-6s %4s %4s %10s %9s %9s\n", "c2:c1", "c1", "c2", "MAdds", "MAC", "AM-GM bound");
  bool formula = true, above = true, growing = true;
  int64_t last_mac = 0;
  for (double ratio : {1.0, 2.0, 6.0, 12.0}) {
    const G1Point pt = g1_point(ratio, side, B);
    const Conv2dShape s = conv2d_shape({1, pt.c1, side, side}, {pt.c2, pt.c1, 1, 1}, {});
    std::printf("   1:%-4g %4lld %4lld %10lld %9lld %11.0f\n", ratio, (long long)pt.c1,
                (long long)pt.c2, (long long)pt.madds, (long long)pt.mac, pt.mac_lower_bound);
    formula = formula && pt.mac == hw * (pt.c1 + pt.c2) + pt.c1 * pt.c2 &&
              pt.mac == conv2d_mac(s) && pt.madds == conv2d_madds(s);
    above = above && double(pt.mac) >= pt.mac_lower_bound - 1e-6;
    growing = growing && pt.mac > last_mac;
    last_mac = pt.mac;
  }
  claim(formula, "MAC = h*w*(c1 + c2) + c1*c2 is exactly nn/cost's conv2d_mac for every row");
  claim(above, "no row goes below 2*sqrt(h*w*B) + B/(h*w), the AM-GM lower bound");
  claim(growing, "the further c2:c1 is from 1:1, the more memory the same B needs");
  const G1Point eq = g1_point(1.0, side, B);
  claim(eq.c1 == 32 && eq.c2 == 32 && std::fabs(double(eq.mac) - eq.mac_lower_bound) < 1e-6,
        "at c1 = c2 = 32 the bound is reached exactly: 2*3136*32 + 1024 = 201,728");

  std::printf("\n2. the paper's Table 1 re-run here: 10 blocks of (1x1 c1->c2, 1x1 c2->c1), "
              "56x56, batch 1, CPU\n");
  GuidelineTable t;
  t.guideline = Guideline::g1;
  const int repeats = precise ? 21 : 3;  // timed passes, each after one untimed pass that warms up
  t.rows =
      measure_configs(guideline_configs(Guideline::g1, Device::cpu, 0, 1), Device::cpu, 1, repeats);
  normalise_table(t, Device::cpu);
  std::printf("   %-5s %9s %11s %10s %9s %9s %11s %11s %8s\n", "c1:c2", "(c1,c2)", "MAdds", "MAC",
              "time ms", "images/s", "ours norm", "ARM norm", "GPU norm");
  bool costs = true, timed = true;
  for (const GuidelineRow& r : t.rows) {
    const int64_t c1 = r.config.c1, c2 = r.config.c2;
    std::printf("   %-5s (%3lld,%3lld) %11lld %10lld %9.2f %9.1f %11.2f %11.2f %8.2f  %s\n",
                r.config.label.c_str(), (long long)c1, (long long)c2, (long long)r.madds,
                (long long)r.mac, r.time_ms, r.per_s, r.measured_norm, r.paper_arm_norm,
                r.paper_gpu_norm, r.trend.c_str());
    const int64_t one = hw * (c1 + c2) + c1 * c2;  // each of the two convs of a block
    costs = costs && r.madds == 20 * hw * c1 * c2 && r.mac == 20 * one;  // 10 blocks x 2 convs
    timed = timed && std::isfinite(r.time_ms) && r.time_ms > 0;
  }
  claim(costs, "each row's MAdds and MAC (recorded op by op by nn/cost) are 10 blocks x 2 convs "
               "x the formulas above");
  claim(t.rows.size() == 4 && timed,
        str_cat("all four rows were timed (median of ", repeats, " passes after a warm-up)"));
  std::printf(
      "   norm = speed / speed of the 1:1 row. The paper: ARM (Snapdragon 810) and GPU\n"
      "   (GTX 1080Ti) both slow down as c1:c2 moves away from 1:1. \"holds\" marks the\n"
      "   rows where this CPU agrees with the ARM column (3%% band), \"differs\" the others.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
