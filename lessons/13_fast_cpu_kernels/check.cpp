// lessons/13_fast_cpu_kernels/check.cpp - the checker of exercise 13: pack_a_sliver on
// numbered matrices, micro_kernel on packed random panels (kc = 1, 7, 256; a row stride
// wider than the tile, whose extra columns must stay untouched), then a 12 x 37 x 48 GEMM
// built from the two against sl::cpu::matmul_reference; prints the learner's kernel speed.
// Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/13_fast_cpu_kernels/exercise.h"

#include <chrono>
#include <cmath>
#include <vector>

#include "core/cpu/kernels.h"
#include "lessons/check.h"

using namespace sl;
using lesson::Checker;

namespace {

std::vector<float> random_floats(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<float> v((size_t)n);
  for (float& x : v) x = gen.uniform() * 2.f - 1.f;
  return v;
}

// "" when got equals want (relative 1e-4), else where it differs.
std::string same(const std::vector<float>& got, const std::vector<float>& want, int64_t cols,
                 const char* what) {
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-4 * (1 + std::fabs(want[i]))))
      return str_cat(what, "[", (int64_t)i / cols, ", ", (int64_t)i % cols, "] is ", got[i],
                     ", expected ", want[i]);
  return "";
}

}  // namespace

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 13: packing and the GEMM micro-kernel\n");
  Checker check("exercise 13", "lessons/13_fast_cpu_kernels/exercise.cpp");
  check.run("pack_a_sliver: A(i, k) = 100*i + k, kc = 5, lda = 9", [&]() -> std::string {
    std::vector<float> a(kMR * 9), ap(5 * kMR, -1.f);
    for (int64_t i = 0; i < kMR; ++i)
      for (int64_t k = 0; k < 9; ++k) a[(size_t)(i * 9 + k)] = (float)(100 * i + k);
    pack_a_sliver(ap.data(), a.data(), 9, 5);
    for (int64_t k = 0; k < 5; ++k)
      for (int64_t i = 0; i < kMR; ++i)
        if (ap[(size_t)(k * kMR + i)] != (float)(100 * i + k))
          return str_cat("ap[", k * kMR + i, "] (k = ", k, ", i = ", i, ") is ",
                         ap[(size_t)(k * kMR + i)], ", expected A(", i, ", ", k,
                         ") = ", 100 * i + k);
    return "";
  });
  for (const int64_t kc : {int64_t{1}, int64_t{7}, int64_t{256}}) {
    check.run(str_cat("micro_kernel, kc = ", kc, ", ldc = 20"), [&]() -> std::string {
      // A [kMR, kc], B [kc, kNR]; pack them by the formulas of exercise.h.
      const std::vector<float> a = random_floats(kMR * kc, 10 + kc),
                               b = random_floats(kc * kNR, 20);
      std::vector<float> ap((size_t)(kc * kMR)), want((size_t)(kMR * kNR));
      for (int64_t k = 0; k < kc; ++k)
        for (int64_t i = 0; i < kMR; ++i) ap[(size_t)(k * kMR + i)] = a[(size_t)(i * kc + k)];
      cpu::matmul_reference(want.data(), a.data(), b.data(), {.B = 1, .M = kMR, .K = kc, .N = kNR});
      std::vector<float> c((size_t)(kMR * 20), 7.f);  // columns 16..19 must stay 7
      micro_kernel(kc, ap.data(), b.data(), c.data(), 20);
      std::vector<float> tile((size_t)(kMR * kNR));
      for (int64_t i = 0; i < kMR; ++i)
        for (int64_t j = 0; j < 20; ++j) {
          if (j >= kNR && c[(size_t)(i * 20 + j)] != 7.f)
            return str_cat("c[", i, ", ", j, "] lies outside the tile but was changed to ",
                           c[(size_t)(i * 20 + j)]);
          if (j < kNR) tile[(size_t)(i * kNR + j)] = c[(size_t)(i * 20 + j)];
        }
      return same(tile, want, kNR, "c");
    });
  }
  check.run("a 12 x 37 x 48 GEMM from pack_a_sliver + micro_kernel", [&]() -> std::string {
    const int64_t M = 2 * kMR, K = 37, N = 3 * kNR;
    const std::vector<float> a = random_floats(M * K, 30), b = random_floats(K * N, 31);
    std::vector<float> c((size_t)(M * N)), want(c.size()), ap((size_t)(K * kMR)),
        bp((size_t)(K * kNR));
    cpu::matmul_reference(want.data(), a.data(), b.data(), {.B = 1, .M = M, .K = K, .N = N});
    for (int64_t jr = 0; jr < N; jr += kNR) {
      for (int64_t k = 0; k < K; ++k)  // B's sliver of kNR columns, k-major
        for (int64_t j = 0; j < kNR; ++j) bp[(size_t)(k * kNR + j)] = b[(size_t)(k * N + jr + j)];
      for (int64_t ir = 0; ir < M; ir += kMR) {
        pack_a_sliver(ap.data(), a.data() + ir * K, K, K);
        micro_kernel(K, ap.data(), bp.data(), c.data() + ir * N + jr, N);
      }
    }
    return same(c, want, N, "C");
  });
  const int rc = check.finish();
  if (rc == 0) {  // solved: how fast is it? (printed, never checked)
    const int64_t kc = 256, reps = 2000;
    const std::vector<float> ap = random_floats(kc * kMR, 40), bp = random_floats(kc * kNR, 41);
    std::vector<float> c((size_t)(kMR * kNR));
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t r = 0; r < reps; ++r) micro_kernel(kc, ap.data(), bp.data(), c.data(), kNR);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("your micro_kernel: %.1f GFLOP/s on one core (kc = 256, from L1); compare the\n"
                "FMA peak that build/release/bin/lesson_13_fast_cpu_kernels prints (c[0] = %g)\n",
                2.0 * kMR * kNR * kc * reps / s / 1e9, c[0]);
  }
  return rc;
}
