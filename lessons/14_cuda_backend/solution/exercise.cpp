// lessons/14_cuda_backend/solution/exercise.cpp - the reference answer to exercise 14, built
// through the same check as the learner's file so that the exercise stays solvable. The same
// arithmetic as shuffle_kernel (core/cuda/channel_shuffle.cu) and
// depthwise3x3_backward_input_kernel (core/cuda/conv2d_fast.cu).
#include "lessons/14_cuda_backend/exercise.h"

int64_t shuffle_gather_index(int64_t e, int64_t N, int64_t C, int64_t G, int64_t HW) {
  (void)N;  // e < N * C * HW; n falls out of the division
  const int64_t p = e % HW, j = e / HW % C, n = e / (HW * C);
  const int64_t i = j % G * (C / G) + j / G;  // i_group * (C/G) + i_inner
  return (n * C + i) * HW + p;
}

int64_t depthwise_source_row(int64_t ih, int64_t kh, int64_t stride, int64_t H_out) {
  const int64_t t = ih + 1 - kh;  // = oh * stride when tap kh of row oh lands on ih
  if (t < 0 || t % stride != 0) return -1;
  const int64_t oh = t / stride;
  return oh < H_out ? oh : -1;
}
