// core/cpu/conv2d_1x1.cpp - the 1x1 convolution on the CPU (K = 1, stride 1, padding 0,
// any groups G), which core/cpu/conv2d.cpp's dispatch sends here: forward and backward to
// the input as one GEMM per (image, group), the weight gradient as register-tiled dot
// products over (n, HW), or as one GEMM over rows gathered from all images when the planes
// are small. Not a backend entry: the reference twins in core/cpu/conv2d.cpp cover it.
// No CUDA file of this name: core/cuda/conv2d_fast.cu has the GPU's 1x1 kernels.
//
// With K = 1 a convolution is a matrix product per image and group:
// out[n,g] [C_out/G, HW] = w_g [C_out/G, C_in/G] @ x[n,g] [C_in/G, HW]. Column chunks
// of HW are independent, which keeps every thread busy even at batch 1.
#include "core/cpu/conv2d_1x1.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/cpu/gemm.h"
#include "core/cpu/kernel_helpers.h"

namespace sl::cpu {

namespace {

// Columns per GEMM call so that `tasks` independent calls, each cut into column chunks,
// give every thread about two pieces (batch 1 still uses all cores). Multiple of 16.
int64_t chunk_width(int64_t tasks, int64_t cols) {
  int64_t want = (2 * (int64_t)omp_get_max_threads() + tasks - 1) / tasks;
  int64_t width = ((cols + want - 1) / want + 15) / 16 * 16;
  return std::min(cols, std::max<int64_t>(width, 64));
}

// Each group's weights, packed once per call for the GEMM instead of once per image and
// column chunk: at HW = 16 packing them every time cost more than the product.
const float* pack_group_weights(const float* w, const Conv2dShape& s, bool trans) {
  const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  const int64_t m = trans ? cgi : cgo, k = trans ? cgo : cgi;
  thread_local std::vector<float> buf;
  const int64_t size = gemm_packed_a_size(m, k);
  float* packed = scratch(buf, s.groups * size);
  for (int64_t g = 0; g < s.groups; ++g)
    gemm_pack_a(packed + g * size, {.M = m,
                                    .N = 0,
                                    .K = k,
                                    .a = w + g * cgo * cgi,
                                    .lda = cgi,
                                    .trans_a = trans,
                                    .b = nullptr,
                                    .ldb = 0,
                                    .trans_b = false,
                                    .c = nullptr,
                                    .ldc = 0,
                                    .accumulate = false});
  return packed;
}

// The product that both 1x1 passes over the data compute, per image n and group g:
//   forward:        out[n,g] [C_out/G, HW] = w_g   [C_out/G, C_in/G] @ x[n,g]    [C_in/G, HW]
//   backward_input: dx[n,g]  [C_in/G, HW]  = w_g^T [C_in/G, C_out/G] @ dout[n,g] [C_out/G, HW]
// so y [cy/G, HW] = op(w_g) @ v [cv/G, HW], op the transpose when `transpose`, with the HW
// columns cut in chunks when there are fewer (image, group) tasks than threads.
void per_image_gemm(float* y, int64_t cy, const float* v, int64_t cv, const float* w,
                    const Conv2dShape& s, bool transpose) {
  const int64_t hw = s.H * s.W, cgy = cy / s.groups, cgv = cv / s.groups;
  const int64_t tasks = s.N * s.groups, cw = chunk_width(tasks, hw), chunks = (hw + cw - 1) / cw;
  const float* packed = pack_group_weights(w, s, transpose);
  const int64_t size = gemm_packed_a_size(cgy, cgv);
#pragma omp parallel for schedule(static)  // see scratch(): same tasks per thread each call
  for (int64_t t = 0; t < tasks * chunks; ++t) {
    const int64_t n = t / chunks / s.groups, g = t / chunks % s.groups, c0 = t % chunks * cw;
    gemm({.M = cgy,
          .N = std::min(cw, hw - c0),
          .K = cgv,
          .a = w + g * cgy * cgv,  // w_g is [C_out/G, C_in/G] either way
          .lda = s.C_in / s.groups,
          .trans_a = transpose,
          .b = v + (n * cv + g * cgv) * hw + c0,
          .ldb = hw,
          .trans_b = false,
          .c = y + (n * cy + g * cgy) * hw + c0,
          .ldc = hw,
          .accumulate = false,
          .a_packed = packed + g * size});
  }
}

}  // namespace

void conv2d_1x1_forward(float* out, const float* x, const float* w, const Conv2dShape& s) {
  per_image_gemm(out, s.C_out, x, s.C_in, w, s, false);
}

void conv2d_1x1_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s) {
  per_image_gemm(dx, s.C_in, dout, s.C_out, w, s, true);
}

namespace {

// dw_g [C_out/G, C_in/G] = sum_n dout[n,g] [C_out/G, HW] @ x[n,g]^T [HW, C_in/G]: each dw
// value is one dot product over (n, HW) of a dout row and an x row, both contiguous in HW.
// A GEMM would first gather and pack both operands, which costs more than the product when
// C/G is small and the planes large (backward_weight_gemm below takes the other case); a TI x TJ
// tile of dw keeps TI * TJ vectors of kLanes partial sums in registers while it walks the rows, and
// sums each across its lanes once per block of images (the block's rows, all groups, fit in L2).
// Threads split the tiles, so every dw value is summed by one thread in the same order whatever the
// thread count: no partials.
constexpr int64_t TI = 4, TJ = 4, kLanes = 16;

// dw[i, j] (=|+=) sum over images [n0, n1) and k < hw of a(n)[i, k] * b(n)[j, k] for the
// ti x tj tile whose rows start at a, b (image strides sa, sb; row stride hw).
void dot_tile(float* dw, int64_t ldw, const float* a, int64_t sa, const float* b, int64_t sb,
              int64_t hw, int64_t n0, int64_t n1, int64_t ti, int64_t tj, bool add) {
  float acc[TI][TJ][kLanes] = {};
  const int64_t full = hw / kLanes * kLanes;
  for (int64_t n = n0; n < n1; ++n) {
    const float* ar[TI];
    const float* br[TJ];
    for (int64_t i = 0; i < TI; ++i) ar[i] = a + n * sa + std::min(i, ti - 1) * hw;  // rows past
    for (int64_t j = 0; j < TJ; ++j) br[j] = b + n * sb + std::min(j, tj - 1) * hw;  // ti, tj:
    for (int64_t k = 0; k < full; k += kLanes)  // repeats of the last row, results discarded
#pragma GCC unroll 4
      for (int64_t i = 0; i < TI; ++i)
#pragma GCC unroll 4
        for (int64_t j = 0; j < TJ; ++j)
#pragma omp simd
          for (int64_t l = 0; l < kLanes; ++l) acc[i][j][l] += ar[i][k + l] * br[j][k + l];
    for (int64_t k = full; k < hw; ++k)  // the last hw % kLanes columns, lane k - full
      for (int64_t i = 0; i < TI; ++i)
        for (int64_t j = 0; j < TJ; ++j) acc[i][j][k - full] += ar[i][k] * br[j][k];
  }
  for (int64_t i = 0; i < ti; ++i)
    for (int64_t j = 0; j < tj; ++j) {
      float sum = 0.f;
      for (int64_t l = 0; l < kLanes; ++l) sum += acc[i][j][l];
      dw[i * ldw + j] = add ? dw[i * ldw + j] + sum : sum;
    }
}

// Small planes: dw_g = D_g [C_out/G, N*HW] @ X_g^T [N*HW, C_in/G], D and X gathered once into
// rows over all images (one copy of dout and x), then one blocked GEMM per group and row
// block. Each dw value is then one sum over k = (n, i) in order inside gemm, whatever the
// thread count. Used where the tiles above are slow, planes of at most 16 values, or 64
// with wide layers. Measured on one AVX-512 core (ms, tiles / GEMM): 192 -> 1024 channels,
// HW 16, batch 128 (v2-0.5's conv5) 39.1 / 12.7; 232 -> 232, HW 16, batch 64 3.4 / 1.5;
// 116 -> 116, HW 64, batch 64 2.3 / 1.8; but 48 -> 48, HW 64, batch 128 0.71 / 0.86 and
// 24 -> 24, HW 256 0.62 / 1.62.
bool weight_grad_as_gemm(const Conv2dShape& s) {
  const int64_t hw = s.H * s.W, cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  constexpr int64_t kWide = 64, kWider = 96;  // sqrt of C_out/G * C_in/G at each cut
  return (hw <= 16 && cgo * cgi >= kWide * kWide) || (hw <= 64 && cgo * cgi >= kWider * kWider);
}

void backward_weight_gemm(float* dw, const float* dout, const float* x, const Conv2dShape& s) {
  const int64_t hw = s.H * s.W, cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  const int64_t K = s.N * hw;  // the sum runs over every (image, position)
  thread_local std::vector<float> buf;
  float* d_rows = scratch(buf, (s.C_out + s.C_in) * K);  // [C_out, K] then [C_in, K]
  float* x_rows = d_rows + s.C_out * K;
  const int threads = std::max(1, omp_get_max_threads());
  // Row blocks of dw per group: one per thread, whole register tiles (a multiple of 12).
  const int64_t rows = std::max<int64_t>(12, (cgo + threads - 1) / threads + 11) / 12 * 12;
  const int64_t blocks = (cgo + rows - 1) / rows;
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int64_t r = 0; r < s.C_out + s.C_in; ++r) {  // row r of D (r < C_out) or of X
      const bool is_d = r < s.C_out;
      const int64_t c = is_d ? r : r - s.C_out, channels = is_d ? s.C_out : s.C_in;
      const float* src = (is_d ? dout : x) + c * hw;
      float* dst = (is_d ? d_rows : x_rows) + c * K;
      for (int64_t n = 0; n < s.N; ++n)
        std::copy(src + n * channels * hw, src + n * channels * hw + hw, dst + n * hw);
    }
#pragma omp for schedule(static)
    for (int64_t t = 0; t < s.groups * blocks; ++t) {
      const int64_t g = t / blocks, r0 = t % blocks * rows, m = std::min(rows, cgo - r0);
      gemm({.M = m,
            .N = cgi,
            .K = K,
            .a = d_rows + (g * cgo + r0) * K,
            .lda = K,
            .trans_a = false,
            .b = x_rows + g * cgi * K,
            .ldb = K,
            .trans_b = true,
            .c = dw + (g * cgo + r0) * cgi,
            .ldc = cgi,
            .accumulate = false});
    }
  }
}

}  // namespace

// dw_g [C_out/G, C_in/G] = sum over n and HW of dout[n,g] [C_out/G, HW] x[n,g]^T: the
// register tiles above, or the GEMM on gathered rows for small planes.
void conv2d_1x1_backward_weight(float* dw, const float* dout, const float* x,
                                const Conv2dShape& s) {
  const int64_t hw = s.H * s.W, cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  if (s.N == 0 || hw == 0) {
    std::fill(dw, dw + s.C_out * cgi, 0.f);
    return;
  }
  if (weight_grad_as_gemm(s)) return backward_weight_gemm(dw, dout, x, s);
  // Images per block: about 1 MB of dout and x rows, at least one image.
  const int64_t per_image = hw * (s.C_in + s.C_out) * (int64_t)sizeof(float);
  const int64_t block = std::clamp<int64_t>((1 << 20) / per_image, 1, s.N);
  const int64_t ti_n = (cgo + TI - 1) / TI, tj_n = (cgi + TJ - 1) / TJ;
  const int64_t tiles = s.groups * ti_n * tj_n;
  // One parallel region: each thread owns a fixed share of the tiles for every block, so
  // blocks need no barrier between them (and idle threads no wake-up per block).
#pragma omp parallel
  {
    const int64_t id = omp_get_thread_num(), nt = omp_get_num_threads();
    for (int64_t n0 = 0; n0 < s.N; n0 += block)
      for (int64_t t = tiles * id / nt; t < tiles * (id + 1) / nt; ++t) {
        const int64_t g = t / (ti_n * tj_n), i0 = t / tj_n % ti_n * TI, j0 = t % tj_n * TJ;
        dot_tile(dw + (g * cgo + i0) * cgi + j0, cgi, dout + (g * cgo + i0) * hw, s.C_out * hw,
                 x + (g * cgi + j0) * hw, s.C_in * hw, hw, n0, std::min(s.N, n0 + block),
                 std::min(TI, cgo - i0), std::min(TJ, cgi - j0), n0 > 0);
      }
  }
}

}  // namespace sl::cpu
