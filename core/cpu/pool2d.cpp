// core/cpu/pool2d.cpp - 2-D max and average pooling on the CPU, forward and backward,
// square window K with stride and padding. Max-pool pads with -inf and records where
// each max came from; average-pool counts the padding (divides by K*K, PyTorch's
// count_include_pad=True). The fast kernels run one thread per (n, c) plane; the reference
// twins (last section) loop over N, C, H_out, W_out, K, K with no tricks. Not here: global
// average pooling (a mean over HW in the ops). CUDA twin: core/cuda/pool2d.cu.
#include <cmath>
#include <limits>

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

// x [N, C, H, W] -> out [N, C, H_out, W_out]: out = (sum of the window's in-range x) / (K*K).
void avgpool2d_forward(float* out, const float* x, const Pool2dShape& s) {
  int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
  float inv = 1.f / (float)(s.K * s.K);
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    const float* xp = x + plane * hw;
    for (int64_t oh = 0; oh < s.H_out; ++oh)
      for (int64_t ow = 0; ow < s.W_out; ++ow) {
        float sum = 0.f;
        for (int64_t kh = 0; kh < s.K; ++kh) {
          int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) continue;
          for (int64_t kw = 0; kw < s.K; ++kw) {
            int64_t iw = ow * s.stride - s.padding + kw;
            if (iw >= 0 && iw < s.W) sum += xp[ih * s.W + iw];
          }
        }
        out[plane * hwo + oh * s.W_out + ow] = sum * inv;
      }
  }
}

// dout [N, C, H_out, W_out] -> dx [N, C, H, W]: every in-range x of a window gets
// dout / (K*K) from it. One thread per plane: race-free.
void avgpool2d_backward(float* dx, const float* dout, const Pool2dShape& s) {
  int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
  float inv = 1.f / (float)(s.K * s.K);
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    float* dp = dx + plane * hw;
    for (int64_t i = 0; i < hw; ++i) dp[i] = 0.f;
    for (int64_t oh = 0; oh < s.H_out; ++oh)
      for (int64_t ow = 0; ow < s.W_out; ++ow) {
        float g = dout[plane * hwo + oh * s.W_out + ow] * inv;
        for (int64_t kh = 0; kh < s.K; ++kh) {
          int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) continue;
          for (int64_t kw = 0; kw < s.K; ++kw) {
            int64_t iw = ow * s.stride - s.padding + kw;
            if (iw >= 0 && iw < s.W) dp[ih * s.W + iw] += g;
          }
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
