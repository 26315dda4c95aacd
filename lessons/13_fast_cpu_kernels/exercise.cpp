// lessons/13_fast_cpu_kernels/exercise.cpp - YOUR answer to exercise 13 (see exercise.h for
// the task). Replace each `throw` with your code, then run: make check-exercise N=13
#include "lessons/13_fast_cpu_kernels/exercise.h"

#include "lessons/check.h"

void pack_a_sliver(float* ap, const float* a, int64_t lda, int64_t kc) {
  throw lesson::NotImplemented("pack_a_sliver in lessons/13_fast_cpu_kernels/exercise.cpp");
}

void micro_kernel(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc) {
  throw lesson::NotImplemented("micro_kernel in lessons/13_fast_cpu_kernels/exercise.cpp");
}
