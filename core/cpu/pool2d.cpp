// core/cpu/pool2d.cpp - 2-D max and average pooling on the CPU, forward and backward,
// square window K with stride and padding. Max-pool pads with -inf and records where
// each max came from; average-pool counts the padding (divides by K*K, PyTorch's
// count_include_pad=True). The fast kernels run one thread per (n, c) plane (average pooling
// as a row pass then a column pass); the reference twins (last section) loop over N, C,
// H_out, W_out, K, K with no tricks. Not here: global average pooling (a mean over HW in the
// ops). CUDA twin: core/cuda/pool2d.cu.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/kernel_helpers.h"
#include "core/cpu/kernels.h"

namespace sl::cpu {

// x [N, C, H, W] -> out [N, C, H_out, W_out], idx [N, C, H_out, W_out]: idx is the flat
// index ih * W + iw of the max inside its (n, c) plane (-1 if the window saw only
// padding). Ties keep the first max in row-major window order; a NaN wins, as in PyTorch.
void maxpool2d_forward(float* out, int32_t* idx, const float* x, const Pool2dShape& s) {
  int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    const float* xp = x + plane * hw;
    for (int64_t oh = 0; oh < s.H_out; ++oh)
      for (int64_t ow = 0; ow < s.W_out; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t where = -1;
        for (int64_t kh = 0; kh < s.K; ++kh) {
          int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) continue;
          for (int64_t kw = 0; kw < s.K; ++kw) {
            int64_t iw = ow * s.stride - s.padding + kw;
            if (iw < 0 || iw >= s.W) continue;
            float v = xp[ih * s.W + iw];
            if (v > best || std::isnan(v)) {
              best = v;
              where = ih * s.W + iw;
            }
          }
        }
        out[plane * hwo + oh * s.W_out + ow] = best;
        idx[plane * hwo + oh * s.W_out + ow] = (int32_t)where;
      }
  }
}

// dout, idx [N, C, H_out, W_out] -> dx [N, C, H, W]: dx = 0, then each dout is added at
// its recorded index. Threads own whole planes and idx never leaves its plane: race-free.
void maxpool2d_backward(float* dx, const float* dout, const int32_t* idx, const Pool2dShape& s) {
  int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    float* dp = dx + plane * hw;
    for (int64_t i = 0; i < hw; ++i) dp[i] = 0.f;
    for (int64_t o = 0; o < hwo; ++o) {
      int32_t i = idx[plane * hwo + o];
      if (i >= 0) dp[i] += dout[plane * hwo + o];
    }
  }
}

// [SECTION] average pooling: separable, a row pass then a column pass
// A K x K window sum is the sum over K rows of that row's K-wide sum, so each (n, c) plane
// goes through a scratch R [H, W_out]: R[ih, ow] = sum_kw x[ih, ow*stride - padding + kw]
// (in-range columns only), then out[oh, ow] = sum_kh R[oh*stride - padding + kh, ow] / (K*K).
// Every inner loop runs over a contiguous or constant-stride range with no bounds test,
// so it vectorizes; the backward is the same two passes transposed.

namespace {

// rr[ow] += xr[ow * stride] for ow in [lo, hi); STRIDE 2 (every stride-2 pool of the models)
// is a compile-time constant so the loop vectorizes, 0 reads the stride at run time.
template <int STRIDE>
void add_strided_row(float* rr, const float* xr, int64_t lo, int64_t hi, int64_t stride) {
  const int64_t st = STRIDE > 0 ? STRIDE : stride;
  for (int64_t ow = lo; ow < hi; ++ow) rr[ow] += xr[ow * st];
}

// The transpose: xr[ow * stride] += rr[ow]; distinct ow touch distinct xr, so no conflicts.
template <int STRIDE>
void scatter_strided_row(float* xr, const float* rr, int64_t lo, int64_t hi, int64_t stride) {
  const int64_t st = STRIDE > 0 ? STRIDE : stride;
  for (int64_t ow = lo; ow < hi; ++ow) xr[ow * st] += rr[ow];
}

// R [H, W_out] for one plane, grown once per thread and reused (no allocation per step).
float* row_sums(int64_t n) {
  thread_local std::vector<float> buf;
  if ((int64_t)buf.size() < n) buf.resize((size_t)n);
  return buf.data();
}

}  // namespace

// x [N, C, H, W] -> out [N, C, H_out, W_out]: out = (sum of the window's in-range x) / (K*K).
void avgpool2d_forward(float* out, const float* x, const Pool2dShape& s) {
  const int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
  const float inv = 1.f / (float)(s.K * s.K);
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    float* r = row_sums(s.H * s.W_out);
    const float* xp = x + plane * hw;
    for (int64_t ih = 0; ih < s.H; ++ih) {  // row pass: R[ih, :] over the in-range kw
      float* rr = r + ih * s.W_out;
      std::fill(rr, rr + s.W_out, 0.f);
      for (int64_t kw = 0; kw < s.K; ++kw) {
        int64_t lo, hi;
        valid_range(s.W_out, s.W, s.stride, kw - s.padding, lo, hi);
        const float* xr = xp + ih * s.W + kw - s.padding;
        if (s.stride == 2)
          add_strided_row<2>(rr, xr, lo, hi, 2);
        else
          add_strided_row<0>(rr, xr, lo, hi, s.stride);
      }
    }
    float* op = out + plane * hwo;
    for (int64_t oh = 0; oh < s.H_out; ++oh) {  // column pass: out[oh, :] over the in-range kh
      float* orow = op + oh * s.W_out;
      std::fill(orow, orow + s.W_out, 0.f);
      for (int64_t kh = 0; kh < s.K; ++kh) {
        const int64_t ih = oh * s.stride - s.padding + kh;
        if (ih < 0 || ih >= s.H) continue;
        const float* rr = r + ih * s.W_out;
        for (int64_t ow = 0; ow < s.W_out; ++ow) orow[ow] += rr[ow];
      }
      for (int64_t ow = 0; ow < s.W_out; ++ow) orow[ow] *= inv;
    }
  }
}

// dout [N, C, H_out, W_out] -> dx [N, C, H, W]: every in-range x of a window gets
// dout / (K*K) from it. The column pass transposed (dR[ih, ow] = sum over the windows
// whose rows cover ih), then the row pass transposed (dR scattered back along kw).
// One thread per plane: race-free.
void avgpool2d_backward(float* dx, const float* dout, const Pool2dShape& s) {
  const int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
  const float inv = 1.f / (float)(s.K * s.K);
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    float* dr = row_sums(s.H * s.W_out);
    std::fill(dr, dr + s.H * s.W_out, 0.f);
    const float* dp = dout + plane * hwo;
    for (int64_t oh = 0; oh < s.H_out; ++oh)
      for (int64_t kh = 0; kh < s.K; ++kh) {
        const int64_t ih = oh * s.stride - s.padding + kh;
        if (ih < 0 || ih >= s.H) continue;
        float* drr = dr + ih * s.W_out;
        const float* drow = dp + oh * s.W_out;
        for (int64_t ow = 0; ow < s.W_out; ++ow) drr[ow] += drow[ow] * inv;
      }
    float* xp = dx + plane * hw;
    std::fill(xp, xp + hw, 0.f);
    for (int64_t ih = 0; ih < s.H; ++ih) {
      const float* drr = dr + ih * s.W_out;
      for (int64_t kw = 0; kw < s.K; ++kw) {
        int64_t lo, hi;
        valid_range(s.W_out, s.W, s.stride, kw - s.padding, lo, hi);
        float* xr = xp + ih * s.W + kw - s.padding;
        if (s.stride == 2)
          scatter_strided_row<2>(xr, drr, lo, hi, 2);
        else
          scatter_strided_row<0>(xr, drr, lo, hi, s.stride);
      }
    }
  }
}

// [SECTION] reference twins

namespace {

// x (n, c, ih, iw) with ih, iw possibly in the padding: true and the flat in-plane index
// when in range.
bool in_plane(const Pool2dShape& s, int64_t ih, int64_t iw, int64_t& flat) {
  if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) return false;
  flat = ih * s.W + iw;
  return true;
}

}  // namespace

void maxpool2d_forward_reference(float* out, int32_t* idx, const float* x, const Pool2dShape& s) {
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c) {
      const float* xp = x + (n * s.C + c) * s.H * s.W;
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t where = -1, flat = 0;
          for (int64_t kh = 0; kh < s.K; ++kh)
            for (int64_t kw = 0; kw < s.K; ++kw)
              if (in_plane(s, oh * s.stride - s.padding + kh, ow * s.stride - s.padding + kw,
                           flat) &&
                  (xp[flat] > best || std::isnan(xp[flat]))) {
                best = xp[flat];
                where = flat;
              }
          const int64_t o = ((n * s.C + c) * s.H_out + oh) * s.W_out + ow;
          out[o] = best;
          idx[o] = (int32_t)where;
        }
    }
}

void maxpool2d_backward_reference(float* dx, const float* dout, const int32_t* idx,
                                  const Pool2dShape& s) {
  for (int64_t i = 0; i < s.N * s.C * s.H * s.W; ++i) dx[i] = 0.f;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t o = 0; o < s.H_out * s.W_out; ++o) {
        const int64_t at = (n * s.C + c) * s.H_out * s.W_out + o;
        if (idx[at] >= 0) dx[(n * s.C + c) * s.H * s.W + idx[at]] += dout[at];
      }
}

void avgpool2d_forward_reference(float* out, const float* x, const Pool2dShape& s) {
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          double sum = 0.0;
          int64_t flat = 0;
          for (int64_t kh = 0; kh < s.K; ++kh)
            for (int64_t kw = 0; kw < s.K; ++kw)
              if (in_plane(s, oh * s.stride - s.padding + kh, ow * s.stride - s.padding + kw, flat))
                sum += x[(n * s.C + c) * s.H * s.W + flat];
          out[((n * s.C + c) * s.H_out + oh) * s.W_out + ow] = (float)(sum / (double)(s.K * s.K));
        }
}

void avgpool2d_backward_reference(float* dx, const float* dout, const Pool2dShape& s) {
  for (int64_t i = 0; i < s.N * s.C * s.H * s.W; ++i) dx[i] = 0.f;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          const float g = dout[((n * s.C + c) * s.H_out + oh) * s.W_out + ow] / (float)(s.K * s.K);
          int64_t flat = 0;
          for (int64_t kh = 0; kh < s.K; ++kh)
            for (int64_t kw = 0; kw < s.K; ++kw)
              if (in_plane(s, oh * s.stride - s.padding + kh, ow * s.stride - s.padding + kw, flat))
                dx[(n * s.C + c) * s.H * s.W + flat] += g;
        }
}

}  // namespace sl::cpu
