// lessons/10_g4_zero_copy/main.cpp - the lesson's program for G4 and the zero-copy shuffle:
// Table 4 re-run on this CPU (element-wise ops' share of time and of MAC, their MAC checked
// against the formulas), then a real V2 unit and the next 1x1 conv run three ways (plain
// shuffle, folded into the weights, read in place): same output, the shuffle's MAC gone.
// Times are printed, never asserted; exit 1 if a claim fails; `--precise` times 21 passes
// instead of 3. Not a test suite: tests/nn/test_guidelines.cpp is.
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
  const int repeats = precise ? 21 : 3;  // timed passes, each after one untimed pass that warms up
  std::printf(
      "1. G4: a ResNet bottleneck (1x1 c->c/4, 3x3, 1x1 c/4->c), 10 blocks, 56x56, c = 32\n");
  GuidelineTable t;
  t.guideline = Guideline::g4;
  t.rows =
      measure_configs(guideline_configs(Guideline::g4, Device::cpu, 0, 1), Device::cpu, 1, repeats);
  normalise_table(t, Device::cpu);
  std::printf("   %-23s %10s %9s %9s %9s %9s %9s %9s\n", "", "MAdds", "elem MAC", "elem time",
              "images/s", "ours norm", "ARM norm", "GPU norm");
  const int64_t n = int64_t{56} * 56 * 32;  // elements of one block's output (its input too)
  bool formula = true, same_madds = true, timed = true;
  for (const GuidelineRow& r : t.rows) {
    std::printf("   %-23s %10lld %8.1f%% %8.1f%% %9.1f %9.2f %9.2f %9.2f  %s\n",
                r.config.label.c_str(), (long long)r.madds, 100.0 * r.elementwise_mac / r.mac,
                100.0 * r.elementwise_share, r.per_s, r.measured_norm, r.paper_arm_norm,
                r.paper_gpu_norm, r.trend.c_str());
    // ReLU after each conv (outputs n/4, n/4, n) reads and writes: 2*(n/4 + n/4 + n);
    // the shortcut add reads two and writes one: 3n.
    const int64_t relu = r.config.relu ? 2 * (n / 4 + n / 4 + n) : 0;
    const int64_t add = r.config.shortcut ? 3 * n : 0;
    formula = formula && r.elementwise_mac == 10 * (relu + add);
    same_madds = same_madds && r.madds == t.rows[0].madds;
    timed = timed && std::isfinite(r.time_ms) && r.time_ms > 0 &&
            std::isfinite(r.elementwise_share) && r.elementwise_share >= 0;
  }
  claim(same_madds, "all four rows do the same multiply-adds: FLOPs cannot tell them apart");
  claim(formula, "element-wise MAC = 10 x (ReLU 2*(n/4 + n/4 + n) + add 3n), n = 56*56*32");
  claim(t.rows[0].elementwise_mac * 2 > t.rows[0].mac,
        "with ReLU and shortcut, element-wise ops move more than half of all memory (MAC)");
  claim(timed, str_cat("every row was timed, and its element-wise ops on their own (median of ",
                       repeats, " passes)"));

  std::printf("\n2. the zero-copy shuffle: V2 unit (C = 116, 28x28) + the next 1x1 conv\n");
  const int64_t C = 116;
  const ZeroCopyUnit u = make_zero_copy_unit(C, 2, Device::cpu, 10);
  Generator gen(11);
  const Tensor x = Tensor::randn({1, C, 28, 28}, gen);
  OpTally plain_t, folded_t, strided_t;
  NoGradGuard no_grad;
  const Tensor plain = zero_copy_plain(u, x, &plain_t);
  const Tensor folded = zero_copy_folded(u, x, &folded_t);
  const Tensor strided = zero_copy_strided(u, x, &strided_t);
  const double d_fold = lesson::diff(folded, plain).worst,
               d_str = lesson::diff(strided, plain).worst;
  std::printf("   %-9s %10s %9s %12s %11s %10s\n", "variant", "MAdds", "MAC", "shuffle MAC",
              "concat MAC", "vs plain");
  std::printf("   %-9s %10lld %9lld %12lld %11lld %10s\n", "plain", (long long)plain_t.madds,
              (long long)plain_t.mac, (long long)plain_t.shuffle_mac, (long long)plain_t.concat_mac,
              "");
  std::printf("   %-9s %10lld %9lld %12lld %11lld %10.1e\n", "(a) fold", (long long)folded_t.madds,
              (long long)folded_t.mac, (long long)folded_t.shuffle_mac,
              (long long)folded_t.concat_mac, d_fold);
  std::printf("   %-9s %10lld %9lld %12lld %11lld %10.1e\n", "(b) blocks",
              (long long)strided_t.madds, (long long)strided_t.mac,
              (long long)strided_t.shuffle_mac, (long long)strided_t.concat_mac, d_str);
  claim(d_fold < 1e-5 && d_str < 1e-5, "all three give the same output (to float rounding)");
  claim(plain_t.shuffle_mac == 2 * C * 28 * 28 && folded_t.shuffle_mac == 0 &&
            strided_t.shuffle_mac == 0,
        "the shuffle's MAC, 2*C*H*W, is gone once it is folded into the next conv's weights");
  claim(strided_t.concat_mac == 0, "reading the two halves in place removes the concat's copy too");
  claim(plain_t.madds == folded_t.madds && folded_t.madds == strided_t.madds,
        "the multiply-adds do not change: only memory traffic does");

  // The fold is a permutation of W's columns: W_fold[o, g*(C/G) + m] = W[o, m*G + g].
  const std::vector<float> w = u.w_next.to_vector(), wf = u.w_next_folded.to_vector();
  bool permuted = true;
  for (int64_t o = 0; o < C; ++o)
    for (int64_t g = 0; g < 2; ++g)
      for (int64_t m = 0; m < C / 2; ++m)
        permuted = permuted && wf[o * C + g * (C / 2) + m] == w[o * C + m * 2 + g];
  claim(permuted, "W_fold[o, g*(C/G) + m] = W[o, m*G + g], bit for bit: computed once, offline");

  const ZeroCopyResult z = run_zero_copy(Device::cpu, 1, 1, repeats);
  std::printf("\n   10 such units, timed here (median of %d passes):\n", repeats);
  bool z_timed = z.rows.size() == 3;
  for (const ZeroCopyRow& r : z.rows) {
    std::printf("   %-38s %8.3f ms  saved %+6.1f%%\n", r.variant.c_str(), r.time_ms, r.saved_pct);
    z_timed = z_timed && std::isfinite(r.time_ms) && r.time_ms > 0;
  }
  claim(z_timed, "all three variants were timed");
  std::printf("   The paper merges concat, shuffle and the next unit's split into one\n"
              "   element-wise op (section 3) and gives no separate number for it.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
