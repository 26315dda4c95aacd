// core/cuda/conv2d_fast.cu - faster CUDA kernels for the two convolutions that dominate
// ShuffleNet, beside the readable ones in core/cuda/conv2d.cu:
//   - 1x1 (grouped or not, stride 1), forward, backward-input and backward-weight: one
//     strided batched SGEMM, a 64x64 tile of the product per block of 256 threads, each
//     thread 4x4 outputs, A and B staged through shared memory in 8-deep slabs; the weight
//     gradient's sum over images split over blocks, with partials added in a fixed order;
//   - depthwise 3x3 (stride 1 or 2, padding 1), forward and backward-input: a 16x16 tile per
//     block, the window it reads (with the halo) loaded once into shared memory; planes of
//     at most 128 outputs (8x8, 4x4) one thread per element instead;
//   - depthwise 3x3 backward-weight as a 2-D reduction: blocks (channel, chunk of positions)
//     each sum all 9 taps over their chunk, a finishing kernel adds the chunks in order.
// Not yet here: double buffering, vector global loads, tensor cores (FP32 only).
// Used unless SL_CUDA_FAST turns families conv1x1 / depthwise off (core/cuda/cuda_check.h);
// checked against the readable kernels and the CPU by tests/core/test_cuda_vs_cpu.cpp.
#include <cstdlib>
#include <cstring>

#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// [SECTION] 1x1 as a GEMM
// All three 1x1 products are one strided GEMM per group g (and split, below):
//   C [M, cols] = sum over k-blocks kb < KB and k < K of A(kb) [M, K] @ B(kb) [K, cols],
// where a column j stands for (n, p) = (j / period, j % period), so that the images of a
// batch sit side by side as columns (a 4x4 map has only 16 positions: alone it would fill a
// quarter of a 64-wide tile). Elements, for group g and k-block kb:
//   A(m, k) = a.p + g * a.s_g + kb * a.s_kb + m * a.s_row + k * a.s_col
//   B(k, j) = b.p + g * b.s_g + kb * b.s_kb + k * b.s_row + n * b.s_n + p * b.s_col
//   C(m, j) = c + split * c_split + g * c_g + m * c_row + n * c_n + p
// With NCHW tensors, P = H * W, cgi = C_in / G, cgo = C_out / G:
//   forward          out[:, g] [cgo, N*P] = w[g] [cgo, cgi] @ x[:, g] [cgi, N*P]
//   backward input   dx[:, g]  [cgi, N*P] = w[g]^T [cgi, cgo] @ dout[:, g] [cgo, N*P]
//   backward weight  dw[g] [cgo, cgi] = sum over images n (the k-blocks) of
//                                       dout[n, g] [cgo, P] @ x[n, g]^T [P, cgi]
// A block computes a 64x64 tile of C with 256 threads, 4x4 outputs each, A and B staged
// through shared memory in 8-deep slabs (loads coalesced along whichever of an operand's
// two strides is 1; 16-byte shared-memory reads). The weight gradient's sum over images is
// split over `splits` blocks per tile when the tiles alone would leave SMs idle; each split
// writes its own partial, and a finishing kernel adds them in split order (deterministic).
constexpr int kBM = 64, kBN = 64, kBK = 8, kTM = 4, kTN = 4;  // 16 x 16 threads, 4 x 4 each

struct GemmOperand {
  const float* p;
  int64_t s_g, s_kb, s_row, s_col, s_n;  // s_n: B only (a column's image)
};

struct GemmArgs {
  GemmOperand a, b;                  // A [M, K], B [K, cols] per (g, kb)
  float* c;                          // C [M, cols] per (split, g)
  int64_t c_split, c_g, c_row, c_n;  // strides of C
  int64_t M, cols, K, KB, G, splits;
  uint32_t period;  // positions per image along the columns (cols < 2^31)
  bool vec_store;   // set by launch_gemm: C's rows and images start 16-byte aligned
};

__global__ void gemm_kernel(GemmArgs q) {
  __shared__ __align__(16) float a_s[kBK][kBM];  // a_s[k][m] = A[m0 + m, k0 + k]
  __shared__ __align__(16) float b_s[kBK][kBN];  // b_s[k][j] = B[k0 + k, j0 + j]
  const int64_t split = blockIdx.z % q.splits, g = blockIdx.z / q.splits;
  const float* A = q.a.p + g * q.a.s_g;
  const float* B = q.b.p + g * q.b.s_g;
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int64_t m0 = (int64_t)blockIdx.y * kBM, j0 = (int64_t)blockIdx.x * kBN;
  const bool a_k_dense = q.a.s_col == 1, b_j_dense = q.b.s_col == 1;
  const int64_t kb_lo = q.KB * split / q.splits, kb_hi = q.KB * (split + 1) / q.splits;
  // The two B columns this thread loads are fixed for the whole k loop: their (n, p)
  // offsets are computed once (32-bit division).
  int64_t b_col_off[2];
  bool b_col_ok[2];
  for (int t = 0; t < 2; ++t) {
    const int i = tid + t * 256;
    const int64_t gj = j0 + (b_j_dense ? i % kBN : i / kBK);
    const uint32_t n = (uint32_t)gj / q.period, p = (uint32_t)gj - n * q.period;
    b_col_ok[t] = gj < q.cols;
    b_col_off[t] = n * q.b.s_n + p * q.b.s_col;
  }
  float acc[kTM][kTN] = {};
  for (int64_t kb = kb_lo; kb < kb_hi; ++kb) {
    const float* Ak = A + kb * q.a.s_kb;
    const float* Bk = B + kb * q.b.s_kb;
    for (int64_t k0 = 0; k0 < q.K; k0 += kBK) {
#pragma unroll
      for (int t = 0; t < 2; ++t) {  // kBM * kBK = 512 = 2 loads per thread
        // consecutive threads take consecutive addresses: along k when A's k stride is 1
        // (w in the forward, dout rows in the weight gradient), else along m (w^T)
        const int i = tid + t * 256;
        const int m = a_k_dense ? i / kBK : i % kBM, k = a_k_dense ? i % kBK : i / kBM;
        const int64_t gm = m0 + m, gk = k0 + k;
        a_s[k][m] = gm < q.M && gk < q.K ? Ak[gm * q.a.s_row + gk * q.a.s_col] : 0.f;
      }
#pragma unroll
      for (int t = 0; t < 2; ++t) {
        const int i = tid + t * 256;
        const int j = b_j_dense ? i % kBN : i / kBK, k = b_j_dense ? i / kBN : i % kBK;
        const int64_t gk = k0 + k;
        b_s[k][j] = b_col_ok[t] && gk < q.K ? Bk[gk * q.b.s_row + b_col_off[t]] : 0.f;
      }
      __syncthreads();
#pragma unroll
      for (int k = 0; k < kBK; ++k) {
        const float4 a = *reinterpret_cast<const float4*>(&a_s[k][ty * kTM]);
        const float4 b = *reinterpret_cast<const float4*>(&b_s[k][tx * kTN]);
        const float av[kTM] = {a.x, a.y, a.z, a.w}, bv[kTN] = {b.x, b.y, b.z, b.w};
#pragma unroll
        for (int i = 0; i < kTM; ++i)
#pragma unroll
          for (int j = 0; j < kTN; ++j) acc[i][j] += av[i] * bv[j];
      }
      __syncthreads();
    }
  }
  float* C = q.c + split * q.c_split + g * q.c_g;
  if (q.vec_store) {  // 4 columns of one image, 16-byte aligned: one float4 per row
    const int64_t col = j0 + tx * kTN;
    if (col >= q.cols) return;
    const uint32_t n = (uint32_t)col / q.period, p = (uint32_t)col - n * q.period;
    float* Cj = C + n * q.c_n + p;
#pragma unroll
    for (int i = 0; i < kTM; ++i) {
      const int64_t m = m0 + ty * kTM + i;
      if (m < q.M)
        *reinterpret_cast<float4*>(Cj + m * q.c_row) =
            make_float4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    }
    return;
  }
#pragma unroll
  for (int j = 0; j < kTN; ++j) {
    const int64_t col = j0 + tx * kTN + j;
    if (col >= q.cols) break;
    const uint32_t n = (uint32_t)col / q.period, p = (uint32_t)col - n * q.period;
    float* Cj = C + n * q.c_n + p;
#pragma unroll
    for (int i = 0; i < kTM; ++i) {
      const int64_t m = m0 + ty * kTM + i;
      if (m < q.M) Cj[m * q.c_row] = acc[i][j];
    }
  }
}

// out[e] = sum over s < splits of partial[s * total + e], in split order.
__global__ void sum_splits_kernel(float* out, const float* partial, int64_t splits, int64_t total) {
  for (int64_t e = first_index(); e < total; e += index_stride()) {
    float sum = 0.f;
    for (int64_t k = 0; k < splits; ++k) sum += partial[k * total + e];
    out[e] = sum;
  }
}

// Launches gemm_kernel over groups (and splits) of q; false when the grid or the 32-bit
// column arithmetic would not hold (the readable kernel then runs).
bool launch_gemm(GemmArgs q, const char* what) {
  q.vec_store = q.period % 4 == 0 && q.c_row % 4 == 0 && q.c_n % 4 == 0 && q.c_g % 4 == 0 &&
                q.c_split % 4 == 0 && reinterpret_cast<uintptr_t>(q.c) % 16 == 0;
  const int64_t gx = (q.cols + kBN - 1) / kBN, gy = (q.M + kBM - 1) / kBM, gz = q.G * q.splits;
  if (q.cols >= (1ll << 31) - kBN || gy > 65535 || gz > 65535 || q.period == 0) return false;
  gemm_kernel<<<dim3((unsigned)gx, (unsigned)gy, (unsigned)gz), 256>>>(q);
  check_launch(what, __FILE__, __LINE__);
  return true;
}

bool is_pointwise(const Conv2dShape& s) {
  return s.K == 1 && s.stride == 1 && s.padding == 0 && s.H == s.H_out && s.W == s.W_out;
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

// Planes of at most 128 outputs (8x8 and 4x4 in ShuffleNet's last stages on CIFAR) would
// leave most of a 16x16 tile's threads idle: there, one thread per output element with
// 32-bit indices, the 9 taps read through the cache (each input is read by up to 9
// neighbouring threads of the same warp). total = N * C * H_out * W_out < 2^31.
__global__ void depthwise3x3_small_kernel(float* out, const float* x, const float* w,
                                          uint32_t total, uint32_t C, uint32_t H, uint32_t W,
                                          uint32_t H_out, uint32_t W_out, uint32_t stride) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t ow = e % W_out, oh = e / W_out % H_out, plane = e / (W_out * H_out);
    const float* xp = x + (size_t)plane * H * W;
    const float* wc = w + plane % C * 9;
    float sum = 0.f;
#pragma unroll
    for (int kh = 0; kh < 3; ++kh) {
      const int ih = (int)(oh * stride) - 1 + kh;
      if (ih < 0 || ih >= (int)H) continue;
#pragma unroll
      for (int kw = 0; kw < 3; ++kw) {
        const int iw = (int)(ow * stride) - 1 + kw;
        if (iw >= 0 && iw < (int)W) sum += __ldg(xp + ih * W + iw) * __ldg(wc + kh * 3 + kw);
      }
    }
    out[e] = sum;
  }
}

// The input gradient the same way: thread e = (plane, ih, iw) gathers dout[plane, oh, ow] *
// w[c, kh, kw] over the taps with oh * stride - 1 + kh = ih (and the same for iw).
__global__ void depthwise3x3_small_backward_input_kernel(float* dx, const float* dout,
                                                         const float* w, uint32_t total, uint32_t C,
                                                         uint32_t H, uint32_t W, uint32_t H_out,
                                                         uint32_t W_out, uint32_t stride) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t iw = e % W, ih = e / W % H, plane = e / (W * H);
    const float* dp = dout + (size_t)plane * H_out * W_out;
    const float* wc = w + plane % C * 9;
    float sum = 0.f;
#pragma unroll
    for (int kh = 0; kh < 3; ++kh) {
      const int th = (int)ih + 1 - kh;  // = oh * stride when this tap reads x[ih]
      if (th < 0 || th % (int)stride != 0 || th / (int)stride >= (int)H_out) continue;
#pragma unroll
      for (int kw = 0; kw < 3; ++kw) {
        const int tw = (int)iw + 1 - kw;
        if (tw < 0 || tw % (int)stride != 0 || tw / (int)stride >= (int)W_out) continue;
        sum += __ldg(dp + th / (int)stride * W_out + tw / (int)stride) * __ldg(wc + kh * 3 + kw);
      }
    }
    dx[e] = sum;
  }
}

constexpr int64_t kSmallPlane = 128;  // outputs per plane below which the small kernels run

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
  __shared__ double shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y;
  const int64_t hwo = s.H_out * s.W_out, m = s.N * hwo;
  double acc[9] = {};  // double, as the CPU: a sum of many products of one sign and mixed ones
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
        if (iw >= 0 && iw < s.W) acc[kh * 3 + kw] += (double)d * xp[ih * s.W + iw];
      }
    }
  }
#pragma unroll
  for (int t = 0; t < 9; ++t) {
    const double total = block_sum_to_thread0(acc[t], shared);
    if (threadIdx.x == 0) partial[(chunk * s.C_out + c) * 9 + t] = (float)total;
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

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out] when a fast kernel
// covers the shape (1x1, or depthwise 3x3) and its family is on; false (nothing launched)
// otherwise.
bool conv2d_forward_fast(float* out, const float* x, const float* w, const Conv2dShape& s) {
  if (s.N <= 0 || s.C_out <= 0 || s.H_out <= 0 || s.W_out <= 0) return false;
  if (is_pointwise(s)) {
    if (!fast_kernels(Fast::conv1x1)) return false;
    const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, P = s.H * s.W;
    GemmArgs q{};
    q.a = {w, cgo * cgi, 0, cgi, 1, 0};       // w[g] [cgo, cgi]
    q.b = {x, cgi * P, 0, P, 1, s.C_in * P};  // x[:, g] [cgi, N*P]
    q.c = out;                                // out[:, g] [cgo, N*P]
    q.c_split = 0, q.c_g = cgo * P, q.c_row = P, q.c_n = s.C_out * P;
    q.M = cgo, q.cols = s.N * P, q.K = cgi, q.KB = 1, q.G = s.groups, q.splits = 1;
    q.period = (uint32_t)P;
    return launch_gemm(q, "conv2d_fast gemm_kernel (1x1 forward)");
  }
  if (!fast_kernels(Fast::depthwise)) return false;
  if (is_depthwise3x3(s) && s.H_out * s.W_out <= kSmallPlane) {
    const int64_t total = s.N * s.C_out * s.H_out * s.W_out;
    if (total >= (1ll << 31)) return false;
    depthwise3x3_small_kernel<<<grid_for(total), kThreads>>>(out, x, w, (uint32_t)total,
                                                             (uint32_t)s.C_out, (uint32_t)s.H,
                                                             (uint32_t)s.W, (uint32_t)s.H_out,
                                                             (uint32_t)s.W_out, (uint32_t)s.stride);
    SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_small_kernel");
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

// dout [N, C_out, H, W], w [C_out, C_in/G, 1, 1] -> dx [N, C_in, H, W] (1x1), or depthwise
// 3x3: dout [N, C, H_out, W_out], w [C, 1, 3, 3] -> dx [N, C, H, W], when the family is on;
// false (nothing launched) otherwise.
bool conv2d_backward_input_fast(float* dx, const float* dout, const float* w,
                                const Conv2dShape& s) {
  if (s.N <= 0 || s.C_in <= 0 || s.H <= 0 || s.W <= 0) return false;
  if (is_pointwise(s)) {
    if (!fast_kernels(Fast::conv1x1)) return false;
    const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, P = s.H * s.W;
    GemmArgs q{};
    q.a = {w, cgo * cgi, 0, 1, cgi, 0};           // w[g]^T [cgi, cgo]
    q.b = {dout, cgo * P, 0, P, 1, s.C_out * P};  // dout[:, g] [cgo, N*P]
    q.c = dx;                                     // dx[:, g] [cgi, N*P]
    q.c_split = 0, q.c_g = cgi * P, q.c_row = P, q.c_n = s.C_in * P;
    q.M = cgi, q.cols = s.N * P, q.K = cgo, q.KB = 1, q.G = s.groups, q.splits = 1;
    q.period = (uint32_t)P;
    return launch_gemm(q, "conv2d_fast gemm_kernel (1x1 backward input)");
  }
  if (!fast_kernels(Fast::depthwise) || !is_depthwise3x3(s)) return false;
  if (s.H * s.W <= kSmallPlane) {
    const int64_t total = s.N * s.C_in * s.H * s.W;
    if (total >= (1ll << 31)) return false;
    depthwise3x3_small_backward_input_kernel<<<grid_for(total), kThreads>>>(
        dx, dout, w, (uint32_t)total, (uint32_t)s.C_in, (uint32_t)s.H, (uint32_t)s.W,
        (uint32_t)s.H_out, (uint32_t)s.W_out, (uint32_t)s.stride);
    SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_small_backward_input_kernel");
    return true;
  }
  const int64_t tiles = ((s.H + kTile - 1) / kTile) * ((s.W + kTile - 1) / kTile);
  const int64_t planes = s.N * s.C_in;
  if (tiles > 65535 || planes >= (1ll << 31)) return false;
  depthwise3x3_backward_input_kernel<<<dim3((unsigned)planes, (unsigned)tiles),
                                       dim3(kTile, kTile)>>>(dx, dout, w, s);
  SL_CUDA_LAUNCHED("conv2d_fast depthwise3x3_backward_input_kernel");
  return true;
}

// dout [N, C_out, H, W], x [N, C_in, H, W] -> dw [C_out, C_in/G, 1, 1] (1x1), or depthwise
// 3x3: dout [N, C, H_out, W_out], x [N, C, H, W] -> dw [C, 1, 3, 3], when the family is on;
// false otherwise. Depthwise chunks: enough blocks to fill the GPU (about 1024 in
// all) even when C is 24, but no chunk shorter than one block-sized strip.
bool conv2d_backward_weight_fast(float* dw, const float* dout, const float* x,
                                 const Conv2dShape& s) {
  if (s.N <= 0 || s.C_out <= 0) return false;
  if (is_pointwise(s)) {
    if (!fast_kernels(Fast::conv1x1)) return false;
    const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, P = s.H * s.W;
    GemmArgs q{};
    q.a = {dout, cgo * P, s.C_out * P, P, 1, 0};  // dout[kb = n, g] [cgo, P]
    q.b = {x, cgi * P, s.C_in * P, 1, P, 0};      // x[kb = n, g]^T [P, cgi]
    q.M = cgo, q.cols = cgi, q.K = P, q.KB = s.N, q.G = s.groups;
    q.period = (uint32_t)cgi;  // one "image" of columns: n is always 0
    // Enough blocks for every SM twice over (132 on an H100/H200), each summing at least
    // one image; the partials [splits, G, cgo, cgi] are then added in split order.
    const int64_t tiles = ((cgo + kBM - 1) / kBM) * ((cgi + kBN - 1) / kBN) * s.groups;
    q.splits = std::clamp<int64_t>((264 + tiles - 1) / tiles, 1, s.N);
    q.c_g = cgo * cgi, q.c_row = cgi, q.c_n = 0;
    if (q.splits == 1) {
      q.c = dw, q.c_split = 0;
      return launch_gemm(q, "conv2d_fast gemm_kernel (1x1 weight gradient)");
    }
    const int64_t total = s.C_out * cgi;
    const Scratch partial(q.splits * total);
    q.c = partial.p, q.c_split = total;
    if (!launch_gemm(q, "conv2d_fast gemm_kernel (1x1 weight gradient, split)")) return false;
    sum_splits_kernel<<<grid_for(total), kThreads>>>(dw, partial.p, q.splits, total);
    SL_CUDA_LAUNCHED("conv2d_fast sum_splits_kernel");
    return true;
  }
  if (!fast_kernels(Fast::depthwise) || !is_depthwise3x3(s) || s.C_out > 65535) return false;
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
