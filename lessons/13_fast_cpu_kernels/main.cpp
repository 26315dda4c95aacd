// lessons/13_fast_cpu_kernels/main.cpp - the lesson's program for the fast CPU kernels: each
// fast kernel (the cache-blocked GEMM, the 1x1 and im2col convolutions, the direct depthwise
// kernel, the channel shuffle) beside its *_reference twin on a few shapes, then napkin math:
// achieved GFLOP/s against this machine's FMA peak (nn/bench's measure), and bytes moved
// against a measured memcpy bandwidth; then the fused kernels (BN + ReLU, concat + shuffle)
// against the pairs they replace, and the inference plan (BatchNorm folded) against the
// model's own forward. Times are printed, never asserted; exit 1 if a fast kernel disagrees
// with its twin; `--precise` times 15 passes instead of 3.
// Not a test suite: tests/core/test_kernels*.cpp and tests/nn/test_infer*.cpp are.
//
// [SECTION] index: [1] GEMM | [2] convolutions | [3] memory | [4] fused kernels | [5] the plan
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/cpu/gemm.h"
#include "core/cpu/kernels.h"
#include "lessons/check.h"
#include "nn/batchnorm.h"
#include "nn/bench.h"
#include "nn/conv2d.h"
#include "nn/infer.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::claim;

namespace {

int g_repeats = 3;  // timed passes per measurement, after one untimed pass

std::vector<float> random_floats(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<float> v((size_t)n);
  for (float& x : v) x = gen.uniform() * 2.f - 1.f;
  return v;
}

// Median seconds of g_repeats calls of f, after one untimed call that warms the caches.
template <class F>
double seconds(F&& f) {
  f();
  std::vector<double> t;
  for (int r = 0; r < g_repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Largest |a - b| / (1 + |b|).
double worst(const std::vector<float>& a, const std::vector<float>& b) {
  double w = a.size() == b.size() ? 0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double e = std::fabs((double)a[i] - b[i]) / (1.0 + std::fabs((double)b[i]));
    if (!(e <= w)) w = std::isnan(e) ? INFINITY : e;
  }
  return w;
}

bool g_timed = true;  // every time measured was finite and positive
double gflops(double flops, double s) {
  g_timed = g_timed && std::isfinite(s) && s > 0;
  return flops / s / 1e9;
}

Conv2dShape conv_shape(int64_t N, int64_t C_in, int64_t H, int64_t C_out, int64_t K,
                       int64_t groups) {
  const int64_t p = K / 2;
  return {.N = N,
          .C_in = C_in,
          .H = H,
          .W = H,
          .C_out = C_out,
          .K = K,
          .stride = 1,
          .padding = p,
          .groups = groups,
          .H_out = H,
          .W_out = H};
}

// [4] fused kernels: the same floats as the pair they replace, in one pass over memory.
void fused_kernels() {
  std::printf("\n4. fused kernels: BN + ReLU and concat + shuffle, one pass instead of two\n");
  Generator gen(8);
  const int64_t N = 32, C = 58, H = 14;  // half of a V2 stage-3 unit at batch 32
  const Tensor x = Tensor::uniform({N, C, H, H}, gen, -2.f, 2.f);
  const Tensor gamma = Tensor::uniform({C}, gen, 0.5f, 1.5f);
  const Tensor beta = Tensor::uniform({C}, gen, -0.5f, 0.5f);
  NoGradGuard no_grad;
  const BatchNormParams batch_stats{.training = true};  // no running averages to update
  Tensor fused, pair;
  const double t_fused =
      seconds([&] { fused = batch_norm_relu(x, gamma, beta, Tensor(), Tensor(), batch_stats); });
  const double t_pair =
      seconds([&] { pair = relu(batch_norm(x, gamma, beta, Tensor(), Tensor(), batch_stats)); });
  claim(fused.to_vector() == pair.to_vector(),
        "batch_norm_relu equals relu(batch_norm(x)), bit for bit (nn/batchnorm.h)");
  // Napkin bytes, every pass's reads and writes: both read x for the statistics; the pair then
  // reads x, writes the pre-activation, reads it again and writes y; fused reads x, writes y.
  const double v = 4.0 * (double)x.numel();
  auto row = [](const char* what, double bytes, double s) {
    std::printf("   %-44s %9.2f MB %8.3f ms %7.1f GB/s\n", what, bytes / 1e6, s * 1e3,
                gflops(bytes, s));
  };
  row("batch_norm then relu", 5 * v, t_pair);
  row("batch_norm_relu", 3 * v, t_fused);

  const Tensor a = Tensor::uniform({N, C, H, H}, gen, -1.f, 1.f);
  const Tensor b = Tensor::uniform({N, C, H, H}, gen, -1.f, 1.f);
  Tensor one, two;
  const double t_one = seconds([&] { one = cat_shuffle(a, b, 2); });
  const double t_two = seconds([&] { two = channel_shuffle(cat({a, b}, 1), 2); });
  claim(one.to_vector() == two.to_vector(),
        "cat_shuffle equals channel_shuffle(cat({a, b})), bit for bit (core/tensor.h)");
  const double out = 2.0 * v;  // bytes of the output, [N, 2C, H, W]
  row("cat then channel_shuffle (2 copies)", 4 * out, t_two);
  row("cat_shuffle (1 copy)", 2 * out, t_one);
  std::printf("   MB: every pass's reads and writes. The fused ops never store the pre-activation\n"
              "   or the concatenation: 3/5 and 1/2 of the pairs' bytes, the same floats out.\n");
}

// [5] the inference plan: BatchNorm folded into the convolution before it, then the whole
// model compiled once (nn/infer.h) against its own eval-mode forward.
void inference_plan() {
  std::printf("\n5. the inference plan (nn/infer.h): BatchNorm folded, ReLU fused, buffers "
              "planned\n");
  Generator gen(9);
  const int64_t co = 6;
  const Tensor x = Tensor::uniform({2, 4, 9, 9}, gen, -1.f, 1.f);
  const Tensor w = Tensor::uniform({co, 4, 3, 3}, gen, -0.5f, 0.5f);
  const Tensor gamma = Tensor::uniform({co}, gen, 0.5f, 1.5f);
  const Tensor beta = Tensor::uniform({co}, gen, -0.3f, 0.3f);
  const Tensor mean = Tensor::uniform({co}, gen, -0.2f, 0.2f);
  const Tensor var = Tensor::uniform({co}, gen, 0.5f, 2.f);
  NoGradGuard no_grad;
  const BatchNormParams eval{.training = false};
  // BN(conv(x, w)) = conv(x, w * s) + (beta - mean * s), s = gamma / sqrt(var + eps)
  const Tensor bn = batch_norm(conv2d(x, w, {.padding = 1}), gamma, beta, mean, var, eval);
  const Tensor s = gamma / sqrt(var + eval.eps);
  const Tensor folded =
      conv2d(x, w * s.view({co, 1, 1, 1}), {.padding = 1}) + (beta - mean * s).view({1, co, 1, 1});
  const double d_fold = worst(folded.to_vector(), bn.to_vector());
  std::printf("   conv 3x3 [2, 4, 9, 9] -> 6 channels, then BatchNorm: folded vs not, largest "
              "difference %.1e\n",
              d_fold);
  claim(d_fold < 1e-5, "conv2d with the folded weights and bias equals conv2d then batch_norm");

  auto model = make_model("v2-0.5", "cifar", 10, 1);
  for (int i = 0; i < 2; ++i)  // training-mode forwards move the running statistics off (0, 1)
    (*model)(Tensor::uniform({8, 3, 32, 32}, gen, -1.f, 2.f));
  model->eval();
  const Tensor x1 = Tensor::uniform({1, 3, 32, 32}, gen, -1.f, 1.f);
  const Tensor want = (*model)(x1);
  InferencePlan plan = compile_for_inference(*model, {1, 3, 32, 32});
  std::vector<float> logits(10);
  const double t_model = seconds([&] { (*model)(x1); });
  const double t_plan = seconds([&] { plan.run(x1.data(), logits.data()); });
  const double d_plan = worst(logits, want.to_vector());
  std::printf("   v2-0.5 at batch 1: %lld steps, %lld barriers, arena %lld KiB in %lld buffers\n",
              (long long)plan.steps(), (long long)plan.syncs(),
              (long long)(plan.arena_floats() * 4 / 1024), (long long)plan.arena_buffers());
  std::printf("   %-44s %8.3f ms\n", "the model's own forward (eval mode)", t_model * 1e3);
  std::printf("   %-44s %8.3f ms  (largest difference %.1e)\n", "plan.run", t_plan * 1e3, d_plan);
  claim(d_plan < 1e-4, "the plan's logits equal the model's eval-mode forward (relative 1e-4)");
  g_timed = g_timed && std::isfinite(t_model) && t_model > 0 && std::isfinite(t_plan) && t_plan > 0;
}

}  // namespace

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  g_repeats = argc > 1 && std::strcmp(argv[1], "--precise") == 0 ? 15 : 3;
#ifdef SL_SANITIZED
  g_repeats = 1;  // under ASan/UBSan the times mean nothing; the comparisons still count
#endif
  const int threads = omp_get_max_threads();
  std::printf("0. this machine: %d OpenMP thread%s; timings are medians of %d passes\n", threads,
              threads == 1 ? "" : "s", g_repeats);
  int lanes = 0;
  const double peak1 = measure_fma_gflops_per_thread(1, 3, &lanes);
  const double peak_all = threads * measure_fma_gflops_per_thread(threads, 3);
  std::printf("   FMA peak (nn/bench.h's measure_fma_gflops_per_thread, %d floats per vector):\n"
              "   %.1f GFLOP/s on one core, %.1f GFLOP/s on %d thread%s\n",
              lanes, peak1, peak_all, threads, threads == 1 ? "" : "s");

  // [1] the GEMM: fast vs reference on shapes that exercise the edges of every block.
  std::printf("\n1. matmul: the cache-blocked GEMM against the triple loop\n");
  struct Mm {
    int64_t M, K, N;
    bool ta, tb;
  };
  bool mm_same = true;
  for (const Mm m :
       {Mm{67, 131, 29, false, false}, Mm{67, 131, 29, true, true}, Mm{6, 300, 16, false, true},
        Mm{97, 257, 2051, false, false}, Mm{116, 116, 784, false, false}}) {
    const MatmulShape s{.B = 1, .M = m.M, .K = m.K, .N = m.N, .trans_a = m.ta, .trans_b = m.tb};
    const std::vector<float> a = random_floats(m.M * m.K, 1), b = random_floats(m.K * m.N, 2);
    std::vector<float> fast((size_t)(m.M * m.N)), ref(fast.size());
    cpu::matmul(fast.data(), a.data(), b.data(), s);
    cpu::matmul_reference(ref.data(), a.data(), b.data(), s);
    const double d = worst(fast, ref);
    mm_same = mm_same && d < 1e-4;
    std::printf("   M %4lld K %4lld N %5lld%s%s  largest difference %.1e\n", (long long)m.M,
                (long long)m.K, (long long)m.N, m.ta ? " A^T" : "    ", m.tb ? " B^T" : "    ", d);
  }
  claim(mm_same, "cpu::matmul equals cpu::matmul_reference (relative 1e-4) on every shape, "
                 "edges and transposes included");

  const int64_t n = 384;
  const double flops = 2.0 * n * n * n;
  const std::vector<float> a = random_floats(n * n, 3), b = random_floats(n * n, 4);
  std::vector<float> c((size_t)(n * n));
  const MatmulShape sq{.B = 1, .M = n, .K = n, .N = n};
  const double t_ref = seconds([&] { cpu::matmul_reference(c.data(), a.data(), b.data(), sq); });
  const cpu::GemmArgs g{.M = n,
                        .N = n,
                        .K = n,
                        .a = a.data(),
                        .lda = n,
                        .trans_a = false,
                        .b = b.data(),
                        .ldb = n,
                        .trans_b = false,
                        .c = c.data(),
                        .ldc = n,
                        .accumulate = false};
  const double t_one = seconds([&] { cpu::gemm(g); });
  const double t_all = seconds([&] { cpu::matmul(c.data(), a.data(), b.data(), sq); });
  const double r_ref = gflops(flops, t_ref), r_one = gflops(flops, t_one),
               r_all = gflops(flops, t_all);
  std::printf("   %lld x %lld x %lld, 2*M*N*K = %.0f MFLOP:\n", (long long)n, (long long)n,
              (long long)n, flops / 1e6);
  std::printf("   %-38s %8.2f ms %7.1f GFLOP/s %5.1f%% of one core's peak\n",
              "matmul_reference (triple loop)", t_ref * 1e3, r_ref, 100 * r_ref / peak1);
  std::printf("   %-38s %8.2f ms %7.1f GFLOP/s %5.1f%% of one core's peak\n",
              "gemm (blocked, packed, 1 thread)", t_one * 1e3, r_one, 100 * r_one / peak1);
  std::printf("   %-38s %8.2f ms %7.1f GFLOP/s %5.1f%% of the %d-thread peak\n",
              "matmul (gemm tiles over OpenMP)", t_all * 1e3, r_all, 100 * r_all / peak_all,
              threads);

  // [2] convolutions through the dispatch: 1x1 (GEMM), 3x3 dense (im2col + GEMM), depthwise.
  std::printf("\n2. conv2d_forward: the dispatch's three paths against the 7-loop reference\n");
  struct Cv {
    const char* path;
    Conv2dShape s;
  };
  const Cv convs[] = {{"1x1 as one GEMM per image", conv_shape(2, 116, 28, 116, 1, 1)},
                      {"3x3 dense, im2col + GEMM", conv_shape(2, 32, 28, 64, 3, 1)},
                      {"3x3 depthwise, direct", conv_shape(8, 116, 28, 116, 3, 116)},
                      {"5x5 depthwise stride 2",
                       {.N = 2,
                        .C_in = 24,
                        .H = 29,
                        .W = 31,
                        .C_out = 24,
                        .K = 5,
                        .stride = 2,
                        .padding = 2,
                        .groups = 24,
                        .H_out = 15,
                        .W_out = 16}}};
  bool conv_same = true;
  double dw_bytes = 0, dw_s = 0, dw_flops = 0;
  std::printf("   %-28s %9s %10s %10s %9s %9s\n", "path", "MFLOP", "reference", "fast", "GFLOP/s",
              "largest diff");
  for (const Cv& cv : convs) {
    const Conv2dShape& s = cv.s;
    const int64_t nx = s.N * s.C_in * s.H * s.W, nw = s.C_out * (s.C_in / s.groups) * s.K * s.K,
                  no = s.N * s.C_out * s.H_out * s.W_out;
    const std::vector<float> x = random_floats(nx, 5), w = random_floats(nw, 6);
    std::vector<float> fast((size_t)no), ref((size_t)no);
    const double t_r =
        seconds([&] { cpu::conv2d_forward_reference(ref.data(), x.data(), w.data(), s); });
    const double t_f = seconds([&] { cpu::conv2d_forward(fast.data(), x.data(), w.data(), s); });
    const int64_t per_out = s.C_in / s.groups * s.K * s.K;  // multiply-adds per output
    const double f = 2.0 * (double)no * (double)per_out;
    const double d = worst(fast, ref);
    conv_same = conv_same && d < 1e-4;
    std::printf("   %-28s %9.1f %8.2f ms %7.2f ms %9.1f %9.1e\n", cv.path, f / 1e6, t_r * 1e3,
                t_f * 1e3, gflops(f, t_f), d);
    if (s.groups == s.C_in && s.K == 3) {
      dw_bytes = 4.0 * (double)(nx + nw + no);
      dw_s = t_f;
      dw_flops = f;
    }
  }
  claim(conv_same, "cpu::conv2d_forward equals cpu::conv2d_forward_reference on all four "
                   "(relative 1e-4)");

  // [3] memory-bound kernels: bytes moved against memcpy.
  std::printf("\n3. memory: depthwise and channel shuffle as bytes moved, against memcpy\n");
  const ShuffleShape ss{.N = 8, .C = 232, .G = 2, .HW = int64_t{14} * 14};
  const int64_t ns = ss.N * ss.C * ss.HW;
  const std::vector<float> xs = random_floats(ns, 7);
  std::vector<float> sh_fast((size_t)ns), sh_ref((size_t)ns), cp((size_t)ns);
  cpu::channel_shuffle(sh_fast.data(), xs.data(), ss);
  cpu::channel_shuffle_reference(sh_ref.data(), xs.data(), ss);
  claim(sh_fast == sh_ref, "cpu::channel_shuffle equals its reference, bit for bit");
  const double sh_bytes = 2.0 * 4.0 * (double)ns;  // read every float once, write it once
  const double t_sh = seconds([&] { cpu::channel_shuffle(sh_fast.data(), xs.data(), ss); });
  const double t_cp =
      seconds([&] { std::memcpy(cp.data(), xs.data(), (size_t)ns * sizeof(float)); });
  const int64_t big = int64_t{16} << 20;  // 64 MiB of floats: far past every cache
  std::vector<float> src((size_t)big, 1.f), dst((size_t)big, 0.f);
  const double t_big = seconds([&] { std::memcpy(dst.data(), src.data(), (size_t)big * 4); });
  auto gbs = [&](double bytes, double s) { return gflops(bytes, s); };  // 1e9 bytes per GB
  std::printf("   %-44s %9.2f MB %8.3f ms %7.1f GB/s\n", "memcpy, 64 MiB (main memory)",
              2.0 * 4 * big / 1e6, t_big * 1e3, gbs(2.0 * 4 * big, t_big));
  std::printf("   %-44s %9.2f MB %8.3f ms %7.1f GB/s\n", "memcpy, the shuffle's size (1 thread)",
              sh_bytes / 1e6, t_cp * 1e3, gbs(sh_bytes, t_cp));
  std::printf("   %-44s %9.2f MB %8.3f ms %7.1f GB/s\n", "channel_shuffle [8, 232, 14, 14], G = 2",
              sh_bytes / 1e6, t_sh * 1e3, gbs(sh_bytes, t_sh));
  std::printf("   %-44s %9.2f MB %8.3f ms %7.1f GB/s  (%.2f FLOP per byte)\n",
              "depthwise 3x3 [8, 116, 28, 28]", dw_bytes / 1e6, dw_s * 1e3, gbs(dw_bytes, dw_s),
              dw_flops / dw_bytes);
  std::printf(
      "   Bytes counted once each: x and w read, out written (the napkin minimum).\n"
      "   At %.2f FLOP per byte, the depthwise kernel would need %.0f GB/s to reach the FMA\n"
      "   peak; memcpy gives %.1f GB/s from cache and %.1f GB/s from main memory, so\n"
      "   moving data, not arithmetic, bounds it (and the shuffle, which does no arithmetic).\n"
      "   The %lld^3 GEMM does %.0f FLOP per byte of its three matrices: it can use the FMAs.\n",
      dw_flops / dw_bytes, peak_all / (dw_flops / dw_bytes), gbs(sh_bytes, t_cp),
      gbs(2.0 * 4 * big, t_big), (long long)n, flops / (3.0 * 4 * n * n));

  fused_kernels();
  inference_plan();
  claim(g_timed && peak1 > 0 && peak_all > 0,
        "every kernel, memcpy and the FMA loop were timed (times finite and positive)");
  return lesson::failures() == 0 ? 0 : 1;
}
