// core/cpu/infer_kernels.cpp - the kernels of core/cpu/infer_kernels.h: the bias + ReLU
// (+ residual) epilogue of a folded 1x1 convolution, the direct K x K convolution with bias
// that the inference plan runs for the stem and the depthwise convs, and average pooling
// into a slice of a larger output; each followed by its reference twin. Single-threaded on
// purpose: the plan (nn/infer.cpp) hands each thread its own planes or tiles.
// Not here: gemm (core/cpu/matmul.cpp), training kernels (core/cpu/conv2d.cpp, pool2d.cpp).
#include "core/cpu/infer_kernels.h"

#include <algorithm>

namespace sl::cpu {

namespace {

// Outputs o in [lo, hi) whose input i = o * stride + offset falls inside [0, in_len).
void valid_range(int64_t out_len, int64_t in_len, int64_t stride, int64_t offset, int64_t& lo,
                 int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = in_len - 1 - offset < 0 ? 0 : std::min(out_len, (in_len - 1 - offset) / stride + 1);
  hi = std::max(hi, lo);
}

}  // namespace

// c [rows, cols] at row stride ldc, bias [rows], res [rows, cols] at row stride ldr.
void bias_act(float* c, int64_t ldc, int64_t rows, int64_t cols, const float* bias,
              const float* res, int64_t ldr, bool relu) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    const float b = bias[r];
    if (res) {
      const float* rr = res + r * ldr;
      for (int64_t j = 0; j < cols; ++j) row[j] += b + rr[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) row[j] += b;
    }
    if (relu)
      for (int64_t j = 0; j < cols; ++j) row[j] = std::max(row[j], 0.f);
  }
}

// x [N, C_in, H, W], w [C_out, C_in/G, K, K], bias [C_out] -> out planes [p0, p1) of
// [N, C_out, H_out, W_out]. Each plane starts at its bias; every tap (ci, kh, kw) then adds
// w * (its shifted input row) to each output row over the columns whose input lies inside
// the image, so the inner loop has no branch (and is contiguous at stride 1).
void conv2d_bias_act_planes(float* out, const float* x, const float* w, const float* bias,
                            bool relu, const Conv2dShape& s, int64_t p0, int64_t p1) {
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
            if (s.stride == 1) {
              for (int64_t ow = lo; ow < hi; ++ow) orow[ow] += wv * xrow[ow + off];
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) orow[ow] += wv * xrow[ow * s.stride + off];
            }
          }
        }
    }
    if (relu)
      for (int64_t i = 0; i < hw_out; ++i) o[i] = std::max(o[i], 0.f);
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
