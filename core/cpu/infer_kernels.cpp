// core/cpu/infer_kernels.cpp - the kernels of core/cpu/infer_kernels.h: the bias + ReLU
// (+ residual) epilogue of a folded 1x1 convolution, the direct K x K convolution with bias
// that the inference plan runs for the stem and the depthwise convs, and average pooling
// into a slice of a larger output; each followed by its reference twin. Single-threaded on
// purpose: the plan (nn/infer.cpp) hands each thread its own planes or tiles.
// Not here: gemm (core/cpu/matmul.cpp), training kernels (core/cpu/conv2d.cpp, pool2d.cpp).
#include "core/cpu/infer_kernels.h"
#include "core/cpu/kernel_helpers.h"

#include <algorithm>

namespace sl::cpu {

// [SECTION] pointwise ------------------------------------------------------------------
// A 1x1 convolution tile is out [rows, cols] = w [rows, K] @ x [K, cols]. The weights are
// packed once, at compile time, into slivers of kPointwiseRows rows stored k-major; x is read
// in place (a row of x is one input channel, contiguous along the columns), so nothing is
// packed per call. Each register tile of kPointwiseRows x NR outputs ends in the epilogue.

namespace {
constexpr int64_t NR = 16;  // columns per register tile: one AVX-512 or two AVX2 vectors
}  // namespace

void pack_pointwise_weights(float* packed, const float* w, int64_t rows, int64_t K) {
  const int64_t MR = kPointwiseRows;
  for (int64_t s = 0; s < rows; s += MR) {
    const int64_t mr = std::min(MR, rows - s);
    float* dst = packed + s * K;
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = 0; i < MR; ++i) dst[k * MR + i] = i < mr ? w[(s + i) * K + k] : 0.f;
  }
}

namespace {

// out [mr, nr] = act(bias + packed sliver [K, MR] @ x [K, NR] (+ res)). The fixed-size
// accumulator and the unroll and simd pragmas keep acc in vector registers (the recipe of
// core/cpu/matmul.cpp's micro-kernel). FULL: nr == NR (the compiler sees the bound).
template <bool FULL>
void pointwise_micro(float* out, int64_t ldo, const float* __restrict a, const float* __restrict x,
                     int64_t ldx, int64_t K, int64_t mr, int64_t nr, const float* bias,
                     const float* res, int64_t ldr, bool relu) {
  constexpr int64_t MR = kPointwiseRows;
  float acc[MR][NR] = {};
  if (FULL) {
    for (int64_t k = 0; k < K; ++k) {
      const float* ak = a + k * MR;
      const float* xk = x + k * ldx;
#pragma GCC unroll 16
      for (int64_t i = 0; i < MR; ++i)
#pragma omp simd
        for (int64_t j = 0; j < NR; ++j) acc[i][j] += ak[i] * xk[j];
    }
  } else {
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = 0; i < MR; ++i)
        for (int64_t j = 0; j < nr; ++j) acc[i][j] += a[k * MR + i] * x[k * ldx + j];
  }
  for (int64_t i = 0; i < mr; ++i) {
    float* o = out + i * ldo;
    const float b = bias[i];
    for (int64_t j = 0; j < nr; ++j) {
      float v = acc[i][j] + b;
      if (res) v += res[i * ldr + j];
      o[j] = relu ? std::max(v, 0.f) : v;
    }
  }
}

}  // namespace

void pointwise_bias_act(float* out, int64_t ldo, const float* x, int64_t ldx, const float* packed_w,
                        int64_t rows, int64_t K, int64_t cols, const float* bias, const float* res,
                        int64_t ldr, bool relu) {
  const int64_t MR = kPointwiseRows;
  for (int64_t j = 0; j < cols; j += NR) {
    const int64_t nr = std::min(NR, cols - j);
    for (int64_t i = 0; i < rows; i += MR) {
      const int64_t mr = std::min(MR, rows - i);
      const float* r = res ? res + i * ldr + j : nullptr;
      if (nr == NR)
        pointwise_micro<true>(out + i * ldo + j, ldo, packed_w + i * K, x + j, ldx, K, mr, nr,
                              bias + i, r, ldr, relu);
      else
        pointwise_micro<false>(out + i * ldo + j, ldo, packed_w + i * K, x + j, ldx, K, mr, nr,
                               bias + i, r, ldr, relu);
    }
  }
}

// The spec: out[r, j] = act(bias[r] + sum_k w[r, k] * x[k, j] + res[r, j]), w unpacked.
void pointwise_bias_act_reference(float* out, int64_t ldo, const float* x, int64_t ldx,
                                  const float* w, int64_t rows, int64_t K, int64_t cols,
                                  const float* bias, const float* res, int64_t ldr, bool relu) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) {
      float sum = 0.f;
      for (int64_t k = 0; k < K; ++k) sum += w[r * K + k] * x[k * ldx + j];
      float v = sum + bias[r];
      if (res) v += res[r * ldr + j];
      out[r * ldo + j] = relu ? std::max(v, 0.f) : v;
    }
}

// [SECTION] direct ---------------------------------------------------------------------

// Padded input planes up to this many floats (16 KiB) live on the stack: the stem (3 planes
// of 34 x 34) and any depthwise plane up to 62 x 62. Larger ones take the general loop.
constexpr int64_t kPadFloats = 4096;

namespace {

// The general loop, any K, stride and padding: each plane starts at its bias; every tap
// (ci, kh, kw) then adds w * (its shifted input row) over the columns whose input lies
// inside the image, so the inner loop has no branch.
void planes_general(float* out, const float* x, const float* w, const float* bias,
                    const Conv2dShape& s, int64_t p0, int64_t p1) {
  const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  const int64_t hw_in = s.H * s.W, hw_out = s.H_out * s.W_out;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t n = p / s.C_out, co = p % s.C_out, g = co / cgo;
    float* o = out + p * hw_out;
    std::fill(o, o + hw_out, bias[co]);
    for (int64_t ci = 0; ci < cgi; ++ci) {
      const float* xp = x + (n * s.C_in + g * cgi + ci) * hw_in;
      const float* wp = w + (co * cgi + ci) * s.K * s.K;
      for (int64_t kh = 0; kh < s.K; ++kh)
        for (int64_t kw = 0; kw < s.K; ++kw) {
          const float wv = wp[kh * s.K + kw];
          int64_t lo, hi;
          valid_range(s.W_out, s.W, s.stride, kw - s.padding, lo, hi);
          for (int64_t oh = 0; oh < s.H_out; ++oh) {
            const int64_t ih = oh * s.stride - s.padding + kh;
            if (ih < 0 || ih >= s.H) continue;
            float* __restrict orow = o + oh * s.W_out;
            const float* __restrict xrow = xp + ih * s.W;
            const int64_t off = kw - s.padding;
            for (int64_t ow = lo; ow < hi; ++ow) orow[ow] += wv * xrow[ow * s.stride + off];
          }
        }
    }
  }
}

// o[ow] += sum over the 3 x 3 window of k * rows r0..r2 at columns ow * S + 0..2: one pass
// over the output row per input channel, nine multiply-adds per output. S = 1 reads
// contiguously (vectorized); S is a template constant so the compiler sees the step.
// o[ow] += the 3 x 3 window of k over padded rows r0..r2, nine multiply-adds per output,
// every read contiguous (so the loop vectorizes). Stride 1: window column kw of output ow is
// row[ow + kw]. Stride 2: each padded row is stored split by column parity, even columns
// then odd ones (half = where the odd ones start), so columns 2ow, 2ow + 1, 2ow + 2 are
// row[ow], row[half + ow], row[ow + 1].
template <int S>
void row3x3(float* __restrict o, int64_t w_out, const float* __restrict r0,
            const float* __restrict r1, const float* __restrict r2, const float* k, int64_t half) {
  const float k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6],
              k7 = k[7], k8 = k[8];
  const int64_t mid = S == 1 ? 1 : half, right = 1 + (S == 1 ? 1 : 0);
  for (int64_t ow = 0; ow < w_out; ++ow)
    o[ow] += k0 * r0[ow] + k1 * r0[ow + mid] + k2 * r0[ow + right] + k3 * r1[ow] +
             k4 * r1[ow + mid] + k5 * r1[ow + right] + k6 * r2[ow] + k7 * r2[ow + mid] +
             k8 * r2[ow + right];
}

// The padded row length: W + 2, or for stride 2 twice ceil((W + 2) / 2) (even | odd halves).
int64_t padded_row(const Conv2dShape& s) { return s.stride == 1 ? s.W + 2 : (s.W + 3) / 2 * 2; }

// K = 3, padding 1, stride 1 or 2, and the group's input planes fit in kPadFloats once
// zero-padded: copy them into a padded buffer (only when the image or group changes, so the
// stem pads its 3 planes once per image), then every output row is branch-free.
void planes_3x3(float* out, const float* x, const float* w, const float* bias, const Conv2dShape& s,
                int64_t p0, int64_t p1) {
  const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  const int64_t rw = padded_row(s), half = rw / 2, plane = (s.H + 2) * rw;
  const int64_t hw_out = s.H_out * s.W_out;
  float pad[kPadFloats];
  int64_t padded_n = -1, padded_g = -1;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t n = p / s.C_out, co = p % s.C_out, g = co / cgo;
    if (n != padded_n || g != padded_g) {
      std::fill(pad, pad + cgi * plane, 0.f);
      for (int64_t ci = 0; ci < cgi; ++ci) {
        const float* xp = x + (n * s.C_in + g * cgi + ci) * s.H * s.W;
        for (int64_t h = 0; h < s.H; ++h) {
          float* row = pad + ci * plane + (h + 1) * rw;  // x column c is padded column c + 1
          const float* src = xp + h * s.W;
          if (s.stride == 1) {
            std::copy(src, src + s.W, row + 1);
          } else {
            // even padded columns 2j hold x column 2j - 1, odd ones 2j + 1 hold x column 2j
            for (int64_t j = 1; 2 * j - 1 < s.W; ++j) row[j] = src[2 * j - 1];
            for (int64_t j = 0; 2 * j < s.W; ++j) row[half + j] = src[2 * j];
          }
        }
      }
      padded_n = n, padded_g = g;
    }
    float* o = out + p * hw_out;
    std::fill(o, o + hw_out, bias[co]);
    for (int64_t ci = 0; ci < cgi; ++ci) {
      const float* k = w + (co * cgi + ci) * 9;
      for (int64_t oh = 0; oh < s.H_out; ++oh) {
        const float* r0 = pad + ci * plane + oh * s.stride * rw;
        if (s.stride == 1)
          row3x3<1>(o + oh * s.W_out, s.W_out, r0, r0 + rw, r0 + 2 * rw, k, half);
        else
          row3x3<2>(o + oh * s.W_out, s.W_out, r0, r0 + rw, r0 + 2 * rw, k, half);
      }
    }
  }
}

}  // namespace

// x [N, C_in, H, W], w [C_out, C_in/G, K, K], bias [C_out] -> out planes [p0, p1) of
// [N, C_out, H_out, W_out], then the ReLU over those planes.
void conv2d_bias_act_planes(float* out, const float* x, const float* w, const float* bias,
                            bool relu, const Conv2dShape& s, int64_t p0, int64_t p1) {
  const bool fast = s.K == 3 && s.padding == 1 && (s.stride == 1 || s.stride == 2) &&
                    (s.C_in / s.groups) * (s.H + 2) * padded_row(s) <= kPadFloats;
  if (fast)
    planes_3x3(out, x, w, bias, s, p0, p1);
  else
    planes_general(out, x, w, bias, s, p0, p1);
  if (relu) {
    const int64_t hw_out = s.H_out * s.W_out;
    for (int64_t i = p0 * hw_out; i < p1 * hw_out; ++i) out[i] = std::max(out[i], 0.f);
  }
}

// The spec: out[n, co, oh, ow] = act(bias[co] + sum_{ci, kh, kw} x[n, g*C_in/G + ci,
// oh*s - p + kh, ow*s - p + kw] * w[co, ci, kh, kw]), x = 0 outside the image.
void conv2d_bias_act_reference(float* out, const float* x, const float* w, const float* bias,
                               bool relu, const Conv2dShape& s) {
  const int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t co = 0; co < s.C_out; ++co)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          float sum = 0.f;
          for (int64_t ci = 0; ci < cgi; ++ci)
            for (int64_t kh = 0; kh < s.K; ++kh)
              for (int64_t kw = 0; kw < s.K; ++kw) {
                const int64_t ih = oh * s.stride - s.padding + kh;
                const int64_t iw = ow * s.stride - s.padding + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                const int64_t c = co / cgo * cgi + ci;
                sum += x[((n * s.C_in + c) * s.H + ih) * s.W + iw] *
                       w[((co * cgi + ci) * s.K + kh) * s.K + kw];
              }
          const float v = sum + bias[co];
          out[((n * s.C_out + co) * s.H_out + oh) * s.W_out + ow] = relu ? std::max(v, 0.f) : v;
        }
}

// x [N, C, H, W] -> planes [p0, p1) (p = n * C + c) of out, image stride out_image_stride.
// The window sum is taken in double and divided by K * K, exactly as the training kernel.
void avgpool2d_act_planes(float* out, int64_t out_image_stride, const float* x,
                          const Pool2dShape& s, bool relu, int64_t p0, int64_t p1) {
  const int64_t hw_out = s.H_out * s.W_out;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t n = p / s.C, c = p % s.C;
    const float* xp = x + p * s.H * s.W;
    float* o = out + n * out_image_stride + c * hw_out;
    for (int64_t oh = 0; oh < s.H_out; ++oh)
      for (int64_t ow = 0; ow < s.W_out; ++ow) {
        double sum = 0.0;
        for (int64_t kh = 0; kh < s.K; ++kh) {
          const int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) continue;
          for (int64_t kw = 0; kw < s.K; ++kw) {
            const int64_t iw = ow * s.stride - s.padding + kw;
            if (iw >= 0 && iw < s.W) sum += xp[ih * s.W + iw];
          }
        }
        const auto v = (float)(sum / (double)(s.K * s.K));
        o[oh * s.W_out + ow] = relu ? std::max(v, 0.f) : v;
      }
  }
}

void avgpool2d_act_reference(float* out, const float* x, const Pool2dShape& s, bool relu) {
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          double sum = 0.0;
          for (int64_t kh = 0; kh < s.K; ++kh)
            for (int64_t kw = 0; kw < s.K; ++kw) {
              const int64_t ih = oh * s.stride - s.padding + kh;
              const int64_t iw = ow * s.stride - s.padding + kw;
              if (ih >= 0 && ih < s.H && iw >= 0 && iw < s.W)
                sum += x[((n * s.C + c) * s.H + ih) * s.W + iw];
            }
          const auto v = (float)(sum / (double)(s.K * s.K));
          out[((n * s.C + c) * s.H_out + oh) * s.W_out + ow] = relu ? std::max(v, 0.f) : v;
        }
}

}  // namespace sl::cpu
