// core/cuda/channel_shuffle_fast.cu - the channel shuffle as a copy, beside the readable
// kernel of core/cuda/channel_shuffle.cu: 32-bit indices (a 64-bit division costs tens of
// instructions, a 32-bit one a few), and four floats per thread (16-byte loads and stores)
// when each channel's plane of HW floats is a multiple of 4 and both pointers are aligned.
// Reads and writes are both coalesced: consecutive threads take consecutive positions p of
// one channel's plane, which is contiguous in x and in out. cat_shuffle (the V2 unit's
// concat + shuffle, forward and backward) the same way, from two inputs.
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

// cat_shuffle over vectors V (float or float4) of HWV = HW / (floats per V) per plane: out
// element e = (n * C + j) * HWV + p takes channel i = shuffle_source_channel(j, C, G) of the
// concatenation (a's C_a channels, then b's), each read with its own image stride (a may be
// the left half of the previous unit's output, read in place). total < 2^31.
template <class V>
__global__ void cat_shuffle_fast_kernel(V* out, const V* a, const V* b, uint32_t total,
                                        uint32_t C_a, uint32_t C, uint32_t G, uint32_t HWV,
                                        uint32_t sa, uint32_t sb) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t p = e % HWV, row = e / HWV, j = row % C, n = row / C;
    const uint32_t i = shuffle_source_channel(j, C, G);
    out[e] = i < C_a ? a[n * sa + i * HWV + p] : b[n * sb + (i - C_a) * HWV + p];
  }
}

// The backward: concatenated channel i of image n takes dout's channel j with
// shuffle_source_channel(j) = i, written to da or db (both contiguous).
template <class V>
__global__ void cat_shuffle_backward_fast_kernel(V* da, V* db, const V* dout, uint32_t total,
                                                 uint32_t C_a, uint32_t C, uint32_t G,
                                                 uint32_t HWV) {
  const uint32_t cg = C / G, C_b = C - C_a;
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t p = e % HWV, row = e / HWV, i = row % C, n = row / C;
    const V v = dout[(n * C + i % cg * G + i / cg) * HWV + p];
    if (i < C_a)
      da[(n * C_a + i) * HWV + p] = v;
    else
      db[(n * C_b + i - C_a) * HWV + p] = v;
  }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

}  // namespace

// a [N, C_a, HW] (image stride a_stride_n), b [N, C_b, HW] -> out [N, C_a + C_b, HW] when the
// shuffle family is on and every index fits 32 bits; false otherwise.
bool cat_shuffle_fast(float* out, const float* a, const float* b, const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b, total = s.N * C * s.HW;
  const int64_t sa = s.a_stride_n < 0 ? s.C_a * s.HW : s.a_stride_n;
  const int64_t sb = s.b_stride_n < 0 ? s.C_b * s.HW : s.b_stride_n;
  if (!fast_kernels(Fast::shuffle) || total <= 0 || s.G <= 0 || C % s.G != 0) return false;
  if (total >= (1ll << 31) || s.N * std::max(sa, sb) >= (1ll << 31)) return false;
  if (s.HW % 4 == 0 && sa % 4 == 0 && sb % 4 == 0 && aligned16(out) && aligned16(a) &&
      aligned16(b)) {
    cat_shuffle_fast_kernel<float4><<<grid_for(total / 4), kThreads>>>(
        reinterpret_cast<float4*>(out), reinterpret_cast<const float4*>(a),
        reinterpret_cast<const float4*>(b), (uint32_t)(total / 4), (uint32_t)s.C_a, (uint32_t)C,
        (uint32_t)s.G, (uint32_t)(s.HW / 4), (uint32_t)(sa / 4), (uint32_t)(sb / 4));
    SL_CUDA_LAUNCHED("channel_shuffle_fast cat_shuffle_fast_kernel<float4>");
    return true;
  }
  cat_shuffle_fast_kernel<float>
      <<<grid_for(total), kThreads>>>(out, a, b, (uint32_t)total, (uint32_t)s.C_a, (uint32_t)C,
                                      (uint32_t)s.G, (uint32_t)s.HW, (uint32_t)sa, (uint32_t)sb);
  SL_CUDA_LAUNCHED("channel_shuffle_fast cat_shuffle_fast_kernel<float>");
  return true;
}

// dout [N, C_a + C_b, HW] -> da [N, C_a, HW], db [N, C_b, HW] (contiguous) when the shuffle
// family is on and every index fits 32 bits; false otherwise.
bool cat_shuffle_backward_fast(float* da, float* db, const float* dout, const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b, total = s.N * C * s.HW;
  if (!fast_kernels(Fast::shuffle) || total <= 0 || total >= (1ll << 31) || s.G <= 0 ||
      C % s.G != 0)
    return false;
  if (s.HW % 4 == 0 && aligned16(da) && aligned16(db) && aligned16(dout)) {
    cat_shuffle_backward_fast_kernel<float4><<<grid_for(total / 4), kThreads>>>(
        reinterpret_cast<float4*>(da), reinterpret_cast<float4*>(db),
        reinterpret_cast<const float4*>(dout), (uint32_t)(total / 4), (uint32_t)s.C_a, (uint32_t)C,
        (uint32_t)s.G, (uint32_t)(s.HW / 4));
    SL_CUDA_LAUNCHED("channel_shuffle_fast cat_shuffle_backward_fast_kernel<float4>");
    return true;
  }
  cat_shuffle_backward_fast_kernel<float>
      <<<grid_for(total), kThreads>>>(da, db, dout, (uint32_t)total, (uint32_t)s.C_a, (uint32_t)C,
                                      (uint32_t)s.G, (uint32_t)s.HW);
  SL_CUDA_LAUNCHED("channel_shuffle_fast cat_shuffle_backward_fast_kernel<float>");
  return true;
}

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
