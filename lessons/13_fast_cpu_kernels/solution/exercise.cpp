// lessons/13_fast_cpu_kernels/solution/exercise.cpp - reference answer to exercise 13; CI
// runs the same checker on it (test exercise_13_solution) so the exercise stays solvable.
#include "lessons/13_fast_cpu_kernels/exercise.h"

// a [kMR rows, kc columns of interest] (row stride lda) -> ap [kc, kMR].
void pack_a_sliver(float* ap, const float* a, int64_t lda, int64_t kc) {
  for (int64_t k = 0; k < kc; ++k)
    for (int64_t i = 0; i < kMR; ++i) ap[k * kMR + i] = a[i * lda + k];
}

// ap [kc, kMR], bp [kc, kNR] -> c [kMR, kNR]: kMR*kNR accumulators stay in registers while
// k runs; each k loads kMR + kNR floats and does kMR*kNR multiply-adds.
void micro_kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c,
                  int64_t ldc) {
  float acc[kMR][kNR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* a = ap + k * kMR;
    const float* b = bp + k * kNR;
#pragma GCC unroll 6
    for (int64_t i = 0; i < kMR; ++i)
#pragma omp simd
      for (int64_t j = 0; j < kNR; ++j) acc[i][j] += a[i] * b[j];
  }
  for (int64_t i = 0; i < kMR; ++i)
    for (int64_t j = 0; j < kNR; ++j) c[i * ldc + j] = acc[i][j];
}
