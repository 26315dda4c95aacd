// core/cuda/channel_shuffle.cu - the channel shuffle permutation on the GPU, one thread
// per element with 64-bit indices (the readable version): out channel j = i_inner * G +
// i_group takes input channel i = i_group * (C/G) + i_inner (shuffle_source_channel); and
// cat_shuffle, the same on the concatenation of two tensors, forward and backward, in one
// pass. The fast shuffle is core/cuda/channel_shuffle_fast.cu (the default; SL_CUDA_FAST=0 off).
// Not the op (core/channel_shuffle.cpp). Twin: core/cpu/channel_shuffle.cpp.
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

// out [N, C, HW] element e takes concatenated channel i = (j % G) * (C/G) + j / G of (a, b).
__global__ void cat_shuffle_kernel(float* out, const float* a, const float* b, CatShuffleShape s) {
  int64_t C = s.C_a + s.C_b, cg = C / s.G;
  int64_t sa = s.a_stride_n < 0 ? s.C_a * s.HW : s.a_stride_n;
  int64_t sb = s.b_stride_n < 0 ? s.C_b * s.HW : s.b_stride_n;
  for (int64_t e = first_index(); e < s.N * C * s.HW; e += index_stride()) {
    int64_t p = e % s.HW, j = e / s.HW % C, n = e / (s.HW * C);
    int64_t i = j % s.G * cg + j / s.G;
    out[e] = i < s.C_a ? a[n * sa + i * s.HW + p] : b[n * sb + (i - s.C_a) * s.HW + p];
  }
}

// Element e of the concatenation (a's channels, then b's) takes dout's channel
// (i % (C/G)) * G + i / (C/G).
__global__ void cat_shuffle_backward_kernel(float* da, float* db, const float* dout,
                                            CatShuffleShape s) {
  int64_t C = s.C_a + s.C_b, cg = C / s.G;
  for (int64_t e = first_index(); e < s.N * C * s.HW; e += index_stride()) {
    int64_t p = e % s.HW, i = e / s.HW % C, n = e / (s.HW * C);
    int64_t j = i % cg * s.G + i / cg;
    float v = dout[(n * C + j) * s.HW + p];
    if (i < s.C_a)
      da[(n * s.C_a + i) * s.HW + p] = v;
    else
      db[(n * s.C_b + i - s.C_a) * s.HW + p] = v;
  }
}

}  // namespace

// x, out [N, C, HW]
void channel_shuffle(float* out, const float* x, const ShuffleShape& s) {
  int64_t n = s.N * s.C * s.HW;
  if (n <= 0) return;
  if (channel_shuffle_fast(out, x, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  shuffle_kernel<<<grid_for(n), kThreads>>>(out, x, s);
  SL_CUDA_LAUNCHED("shuffle_kernel");
}

// a [N, C_a, HW], b [N, C_b, HW] -> out [N, C_a + C_b, HW]
void cat_shuffle(float* out, const float* a, const float* b, const CatShuffleShape& s) {
  int64_t n = s.N * (s.C_a + s.C_b) * s.HW;
  if (n <= 0) return;
  if (cat_shuffle_fast(out, a, b, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  cat_shuffle_kernel<<<grid_for(n), kThreads>>>(out, a, b, s);
  SL_CUDA_LAUNCHED("cat_shuffle_kernel");
}

// dout [N, C_a + C_b, HW] -> da [N, C_a, HW], db [N, C_b, HW]
void cat_shuffle_backward(float* da, float* db, const float* dout, const CatShuffleShape& s) {
  int64_t n = s.N * (s.C_a + s.C_b) * s.HW;
  if (n <= 0) return;
  if (cat_shuffle_backward_fast(da, db, dout, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  cat_shuffle_backward_kernel<<<grid_for(n), kThreads>>>(da, db, dout, s);
  SL_CUDA_LAUNCHED("cat_shuffle_backward_kernel");
}

}  // namespace sl::cuda
