// core/cuda/channel_shuffle.cu - the channel shuffle permutation on the GPU, one thread
// per element with 64-bit indices (the readable version): out channel j = i_inner * G +
// i_group takes input channel i = i_group * (C/G) + i_inner (shuffle_source_channel).
// The fast one is core/cuda/channel_shuffle_fast.cu (SL_CUDA_FAST=1). Not the op
// (core/channel_shuffle.cpp). Twin: core/cpu/channel_shuffle.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"
#include "core/cuda/shuffle_index.h"

namespace sl::cuda {

namespace {

__global__ void shuffle_kernel(float* out, const float* x, ShuffleShape s) {
  for (int64_t e = first_index(); e < s.N * s.C * s.HW; e += index_stride()) {
    int64_t p = e % s.HW, j = e / s.HW % s.C, n = e / (s.HW * s.C);
    int64_t i = shuffle_source_channel(j, s.C, s.G);
    out[e] = x[(n * s.C + i) * s.HW + p];
  }
}

}  // namespace

// x, out [N, C, HW]
void channel_shuffle(float* out, const float* x, const ShuffleShape& s) {
  int64_t n = s.N * s.C * s.HW;
  if (n <= 0) return;
  if (channel_shuffle_fast(out, x, s)) return;  // SL_CUDA_FAST=1 only
  shuffle_kernel<<<grid_for(n), kThreads>>>(out, x, s);
  SL_CUDA_LAUNCHED("shuffle_kernel");
}

}  // namespace sl::cuda
