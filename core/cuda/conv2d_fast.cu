// core/cuda/conv2d_fast.cu - faster CUDA kernels for the two convolutions that dominate
// ShuffleNet, beside the readable ones in core/cuda/conv2d.cu:
//   - 1x1 forward (grouped or not, stride 1): a register-blocked SGEMM, a 64x64 tile of out
//     per block of 256 threads, each thread 4x4 outputs, A and B staged through shared memory
//     in 8-deep slabs (no vector loads or double buffering yet: sizes are not 16-byte aligned);
//   - depthwise 3x3 (stride 1 or 2, padding 1), forward and backward-input: a 16x16 tile per
//     block, the window it reads (with the halo) loaded once into shared memory;
//   - depthwise 3x3 backward-weight as a 2-D reduction: blocks (channel, chunk of positions)
//     each sum all 9 taps over their chunk, a finishing kernel adds the chunks in order.
// NEVER RUN ON A GPU: compiled only. Off unless SL_CUDA_FAST=1 (conv2d.cu asks the *_fast
// entry first); validate with `SL_CUDA_FAST=1 scripts/gpu-check` before making it the default.
#include <cstdlib>
#include <cstring>

#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// [SECTION] 1x1 as a GEMM
constexpr int kBM = 64, kBN = 64, kBK = 8, kTM = 4, kTN = 4;  // 16 x 16 threads, 4 x 4 each

// Block (bx, by, z = n * G + g): out[n, g*cgo + m, p] for m in [by*64, +64), p in [bx*64, +64)
//   = sum_k w[g*cgo + m, k] * x[n, g*cgi + k, p],   k < cgi = C_in / G, P = H * W.
// As A [cgo, cgi] @ B [cgi, P] = C [cgo, P], with A the group's weights and B its input slab.
__global__ void gemm_1x1_kernel(float* out, const float* x, const float* w, Conv2dShape s) {
  __shared__ float a_s[kBK][kBM];  // a_s[k][m] = A[m0 + m, k0 + k]
  __shared__ float b_s[kBK][kBN];  // b_s[k][p] = B[k0 + k, p0 + p]
  const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, P = s.H * s.W;
  const int64_t n = blockIdx.z / s.groups, g = blockIdx.z % s.groups;
  const float* A = w + g * cgo * cgi;
  const float* B = x + (n * s.C_in + g * cgi) * P;
  float* C = out + (n * s.C_out + g * cgo) * P;
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t m0 = (int64_t)blockIdx.y * kBM, p0 = (int64_t)blockIdx.x * kBN;
  float acc[kTM][kTN] = {};
  for (int64_t k0 = 0; k0 < cgi; k0 += kBK) {
    for (int i = tid; i < kBM * kBK; i += 256) {  // 2 loads per thread
      const int m = i / kBK, k = i % kBK;
      const int64_t gm = m0 + m, gk = k0 + k;
      a_s[k][m] = gm < cgo && gk < cgi ? A[gm * cgi + gk] : 0.f;
    }
    for (int i = tid; i < kBK * kBN; i += 256) {  // consecutive threads read consecutive p
      const int k = i / kBN, p = i % kBN;
      const int64_t gk = k0 + k, gp = p0 + p;
      b_s[k][p] = gk < cgi && gp < P ? B[gk * P + gp] : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kBK; ++k) {
      float a[kTM], b[kTN];
#pragma unroll
      for (int i = 0; i < kTM; ++i) a[i] = a_s[k][ty * kTM + i];
#pragma unroll
      for (int j = 0; j < kTN; ++j) b[j] = b_s[k][tx * kTN + j];
#pragma unroll
      for (int i = 0; i < kTM; ++i)
#pragma unroll
        for (int j = 0; j < kTN; ++j) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kTM; ++i) {
    const int64_t m = m0 + ty * kTM + i;
    if (m >= cgo) break;
#pragma unroll
    for (int j = 0; j < kTN; ++j) {
      const int64_t p = p0 + tx * kTN + j;
      if (p < P) C[m * P + p] = acc[i][j];
    }
  }
}

// [SECTION] depthwise 3x3 with a shared-memory halo
constexpr int kTile = 16;                   // outputs per block side
constexpr int kSpan = (kTile - 1) * 2 + 3;  // input rows a tile reads at stride 2 (33)

// Block (plane = n * C + c, tile): out[plane, oh, ow] for a 16x16 tile of (oh, ow)
//   = sum_{kh, kw} x[plane, oh*s - 1 + kh, ow*s - 1 + kw] * w[c, 0, kh, kw]   (x = 0 outside).
__global__ void depthwise3x3_kernel(float* out, const float* x, const float* w, Conv2dShape s) {
  __shared__ float in_s[kSpan][kSpan + 1];
  __shared__ float w_s[9];
  const int64_t plane = blockIdx.x, c = plane % s.C_out;
  const int64_t tiles_w = (s.W_out + kTile - 1) / kTile;
  const int64_t oh0 = blockIdx.y / tiles_w * kTile, ow0 = blockIdx.y % tiles_w * kTile;
  const int64_t ih0 = oh0 * s.stride - 1, iw0 = ow0 * s.stride - 1;
  const int span = (kTile - 1) * (int)s.stride + 3;
  const float* xp = x + plane * s.H * s.W;
  const int tid = threadIdx.y * kTile + threadIdx.x;
  for (int i = tid; i < span * span; i += kTile * kTile) {
    const int r = i / span, q = i % span;
    const int64_t ih = ih0 + r, iw = iw0 + q;
    in_s[r][q] = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? xp[ih * s.W + iw] : 0.f;
  }
  if (tid < 9) w_s[tid] = w[c * 9 + tid];
  __syncthreads();
  const int64_t oh = oh0 + threadIdx.y, ow = ow0 + threadIdx.x;
  if (oh >= s.H_out || ow >= s.W_out) return;
  float sum = 0.f;
#pragma unroll
  for (int kh = 0; kh < 3; ++kh)
#pragma unroll
    for (int kw = 0; kw < 3; ++kw)
      sum += in_s[threadIdx.y * s.stride + kh][threadIdx.x * s.stride + kw] * w_s[kh * 3 + kw];
  out[(plane * s.H_out + oh) * s.W_out + ow] = sum;
}

// Block (plane = n * C + c, tile): dx[plane, ih, iw] for a 16x16 tile of (ih, iw)
//   = sum_{kh, kw} dout[plane, oh, ow] * w[c, 0, kh, kw] over oh*s - 1 + kh = ih and
//     ow*s - 1 + kw = iw (dout = 0 outside [0, H_out) x [0, W_out)).
// The tile reads dout rows oh_lo .. oh_lo + 17 at most (stride 1: ih0 - 1 .. ih0 + 16).
constexpr int kDoutSpan = kTile + 2;
__global__ void depthwise3x3_backward_input_kernel(float* dx, const float* dout, const float* w,
                                                   Conv2dShape s) {
  __shared__ float d_s[kDoutSpan][kDoutSpan + 1];
  __shared__ float w_s[9];
  const int64_t plane = blockIdx.x, c = plane % s.C_in;
  const int stride = (int)s.stride;
  const int64_t tiles_w = (s.W + kTile - 1) / kTile;
  const int64_t ih0 = blockIdx.y / tiles_w * kTile, iw0 = blockIdx.y % tiles_w * kTile;
  // the first output row whose window reaches ih0: floor((ih0 - 1) / stride), -1 at the top
  const int64_t oh_lo = ih0 == 0 ? -1 : (ih0 - 1) / stride,
                ow_lo = iw0 == 0 ? -1 : (iw0 - 1) / stride;
  const int span = kTile / stride + 2;  // 18 rows at stride 1, 10 at stride 2
  const float* dp = dout + plane * s.H_out * s.W_out;
  const int tid = threadIdx.y * kTile + threadIdx.x;
  for (int i = tid; i < span * span; i += kTile * kTile) {
    const int r = i / span, q = i % span;
    const int64_t oh = oh_lo + r, ow = ow_lo + q;
    d_s[r][q] = oh >= 0 && oh < s.H_out && ow >= 0 && ow < s.W_out ? dp[oh * s.W_out + ow] : 0.f;
  }
  if (tid < 9) w_s[tid] = w[c * 9 + tid];
  __syncthreads();
  const int64_t ih = ih0 + threadIdx.y, iw = iw0 + threadIdx.x;
  if (ih >= s.H || iw >= s.W) return;
  float sum = 0.f;
#pragma unroll
  for (int kh = 0; kh < 3; ++kh) {
    const int64_t th = ih + 1 - kh;  // = oh * stride when this tap reads x[ih]
    if (th < 0 || th % stride != 0) continue;
    const int r = (int)(th / stride - oh_lo);
#pragma unroll
    for (int kw = 0; kw < 3; ++kw) {
      const int64_t tw = iw + 1 - kw;
      if (tw < 0 || tw % stride != 0) continue;
      sum += d_s[r][tw / stride - ow_lo] * w_s[kh * 3 + kw];
    }
  }
  dx[(plane * s.H + ih) * s.W + iw] = sum;
}

// Block (c, chunk): partial[chunk, c, t] = sum over this chunk's positions r = (n, oh, ow) of
//   dout[n, c, oh, ow] * x[n, c, oh*s - 1 + kh, ow*s - 1 + kw],  t = kh * 3 + kw.
// Positions go to chunks round-robin by block-sized strips; consecutive threads take
// consecutive ow, so dout reads coalesce.
__global__ void depthwise3x3_weight_partial_kernel(float* partial, const float* dout,
                                                   const float* x, Conv2dShape s) {
  __shared__ float shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y;
  const int64_t hwo = s.H_out * s.W_out, m = s.N * hwo;
  float acc[9] = {};
  for (int64_t r = chunk * kThreads + threadIdx.x; r < m; r += chunks * kThreads) {
    const int64_t n = r / hwo, oh = r % hwo / s.W_out, ow = r % s.W_out;
    const float d = dout[(n * s.C_out + c) * hwo + r % hwo];
    const float* xp = x + (n * s.C_in + c) * s.H * s.W;
#pragma unroll
    for (int kh = 0; kh < 3; ++kh) {
      const int64_t ih = oh * s.stride - 1 + kh;
      if (ih < 0 || ih >= s.H) continue;
#pragma unroll
      for (int kw = 0; kw < 3; ++kw) {
        const int64_t iw = ow * s.stride - 1 + kw;
        if (iw >= 0 && iw < s.W) acc[kh * 3 + kw] += d * xp[ih * s.W + iw];
      }
    }
  }
#pragma unroll
  for (int t = 0; t < 9; ++t) {
    const float total = block_sum_to_thread0(acc[t], shared);
    if (threadIdx.x == 0) partial[(chunk * s.C_out + c) * 9 + t] = total;
  }
}

// dw[c, 0, kh, kw] = sum over chunks of partial[chunk, c, t], in chunk order (deterministic).
__global__ void depthwise3x3_weight_finish_kernel(float* dw, const float* partial, int64_t chunks,
                                                  int64_t C) {
  for (int64_t e = first_index(); e < C * 9; e += index_stride()) {
    float sum = 0.f;
    for (int64_t k = 0; k < chunks; ++k) sum += partial[k * C * 9 + e];
    dw[e] = sum;
  }
}

bool is_depthwise3x3(const Conv2dShape& s) {
  return s.K == 3 && s.padding == 1 && (s.stride == 1 || s.stride == 2) && s.groups == s.C_in &&
         s.C_in == s.C_out;
}

}  // namespace

bool fast_kernels() {
  static const bool on = [] {
    const char* v = std::getenv("SL_CUDA_FAST");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out] when a fast kernel
// covers the shape and SL_CUDA_FAST=1; false (nothing launched) otherwise.
bool conv2d_forward_fast(float* out, const float* x, const float* w, const Conv2dShape& s) {
  if (!fast_kernels() || s.N <= 0 || s.C_out <= 0 || s.H_out <= 0 || s.W_out <= 0) return false;
  if (s.K == 1 && s.stride == 1 && s.padding == 0) {
    const int64_t cgo = s.C_out / s.groups, P = s.H * s.W, z = s.N * s.groups;
    if (z > 65535 || (cgo + kBM - 1) / kBM > 65535) return false;
    const dim3 grid((unsigned)((P + kBN - 1) / kBN), (unsigned)((cgo + kBM - 1) / kBM),
                    (unsigned)z);
    gemm_1x1_kernel<<<grid, 256>>>(out, x, w, s);
    SL_CUDA_LAUNCHED("conv2d_fast gemm_1x1_kernel");
    return true;
  }
  if (is_depthwise3x3(s)) {
    const int64_t tiles = ((s.H_out + kTile - 1) / kTile) * ((s.W_out + kTile - 1) / kTile);
    const int64_t planes = s.N * s.C_out;
    if (tiles > 65535 || planes >= (1ll << 31)) return false;
    depthwise3x3_kernel<<<dim3((unsigned)planes, (unsigned)tiles), dim3(kTile, kTile)>>>(out, x, w,
                                                                                         s);
    SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_kernel");
    return true;
  }
  return false;
}

// Depthwise 3x3 only: dout [N, C, H_out, W_out], w [C, 1, 3, 3] -> dx [N, C, H, W] when
// SL_CUDA_FAST=1; false (nothing launched) otherwise.
bool conv2d_backward_input_fast(float* dx, const float* dout, const float* w,
                                const Conv2dShape& s) {
  if (!fast_kernels() || !is_depthwise3x3(s) || s.N <= 0 || s.H <= 0 || s.W <= 0) return false;
  const int64_t tiles = ((s.H + kTile - 1) / kTile) * ((s.W + kTile - 1) / kTile);
  const int64_t planes = s.N * s.C_in;
  if (tiles > 65535 || planes >= (1ll << 31)) return false;
  depthwise3x3_backward_input_kernel<<<dim3((unsigned)planes, (unsigned)tiles),
                                       dim3(kTile, kTile)>>>(dx, dout, w, s);
  SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_backward_input_kernel");
  return true;
}

// Depthwise 3x3 only: dout [N, C, H_out, W_out], x [N, C, H, W] -> dw [C, 1, 3, 3] when
// SL_CUDA_FAST=1; false otherwise. Chunks: enough blocks to fill the GPU (about 1024 in
// all) even when C is 24, but no chunk shorter than one block-sized strip.
bool conv2d_backward_weight_fast(float* dw, const float* dout, const float* x,
                                 const Conv2dShape& s) {
  if (!fast_kernels() || !is_depthwise3x3(s) || s.C_out <= 0 || s.C_out > 65535) return false;
  const int64_t m = s.N * s.H_out * s.W_out;
  const int64_t chunks =
      std::clamp<int64_t>((m + kThreads - 1) / kThreads, 1, std::max<int64_t>(1, 1024 / s.C_out));
  const Scratch partial(chunks * s.C_out * 9);  // [chunks, C, 9]
  depthwise3x3_weight_partial_kernel<<<dim3((unsigned)s.C_out, (unsigned)chunks), kThreads>>>(
      partial.p, dout, x, s);
  SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_weight_partial_kernel");
  depthwise3x3_weight_finish_kernel<<<grid_for(s.C_out * 9), kThreads>>>(dw, partial.p, chunks,
                                                                         s.C_out);
  SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_weight_finish_kernel");
  return true;
}

}  // namespace sl::cuda
