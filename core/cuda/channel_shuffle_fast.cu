// core/cuda/channel_shuffle_fast.cu - the channel shuffle as a copy, beside the readable
// kernel of core/cuda/channel_shuffle.cu: 32-bit indices (a 64-bit division costs tens of
// instructions, a 32-bit one a few), and four floats per thread (16-byte loads and stores)
// when each channel's plane of HW floats is a multiple of 4 and both pointers are aligned.
// Reads and writes are both coalesced: consecutive threads take consecutive positions p of
// one channel's plane, which is contiguous in x and in out.
// Checked on an H200 (scripts/gpu-check). Used unless SL_CUDA_FAST=0 (channel_shuffle.cu
// asks first). The index map is shuffle_source_channel (core/cuda/shuffle_index.h).
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"
#include "core/cuda/shuffle_index.h"

namespace sl::cuda {

namespace {

// x, out [N, C, HW] viewed as rows of HW floats; element e = (n * C + j) * HW + p of out
// takes x[(n * C + i) * HW + p], i = shuffle_source_channel(j, C, G). total < 2^31.
__global__ void shuffle_fast_kernel(float* out, const float* x, uint32_t total, uint32_t C,
                                    uint32_t G, uint32_t HW) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t p = e % HW, row = e / HW, j = row % C, n = row / C;
    out[e] = x[(n * C + shuffle_source_channel(j, C, G)) * HW + p];
  }
}

// The same map over float4: HW4 = HW / 4 vectors per plane, total4 = N * C * HW4.
__global__ void shuffle_fast_vec4_kernel(float4* out, const float4* x, uint32_t total4, uint32_t C,
                                         uint32_t G, uint32_t HW4) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total4;
       e += gridDim.x * blockDim.x) {
    const uint32_t p = e % HW4, row = e / HW4, j = row % C, n = row / C;
    out[e] = x[(n * C + shuffle_source_channel(j, C, G)) * HW4 + p];
  }
}

}  // namespace

// x, out [N, C, HW] when the shuffle family is on and N * C * HW < 2^31; false otherwise.
bool channel_shuffle_fast(float* out, const float* x, const ShuffleShape& s) {
  const int64_t total = s.N * s.C * s.HW;
  if (!fast_kernels(Fast::shuffle) || total <= 0 || total >= (1ll << 31) || s.G <= 0) return false;
  const bool aligned =
      reinterpret_cast<uintptr_t>(out) % 16 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0;
  if (s.HW % 4 == 0 && aligned) {
    const int64_t total4 = total / 4;
    shuffle_fast_vec4_kernel<<<grid_for(total4), kThreads>>>(reinterpret_cast<float4*>(out),
                                                             reinterpret_cast<const float4*>(x),
                                                             (uint32_t)total4, (uint32_t)s.C,
                                                             (uint32_t)s.G, (uint32_t)(s.HW / 4));
    SL_CUDA_LAUNCHED("channel_shuffle_fast shuffle_fast_vec4_kernel");
    return true;
  }
  shuffle_fast_kernel<<<grid_for(total), kThreads>>>(out, x, (uint32_t)total, (uint32_t)s.C,
                                                     (uint32_t)s.G, (uint32_t)s.HW);
  SL_CUDA_LAUNCHED("channel_shuffle_fast shuffle_fast_kernel");
  return true;
}

}  // namespace sl::cuda
