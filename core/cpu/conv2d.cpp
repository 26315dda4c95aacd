// core/cpu/conv2d.cpp - 2-D convolution on the CPU (square kernel K, stride, zero
// padding, groups G): forward, backward to the input and backward to the weight, each a
// fast kernel that picks a strategy by shape plus its nested-loop reference twin.
// Not here: shape checks and autograd (nn/conv2d.cpp), cost model (nn/cost).
// CUDA twin: core/cuda/conv2d.cu.
//
// [SECTION] helpers     race-free weight reduction
// [SECTION] reference   the spec: plain loops over N, C, H, W and the kernel window
// [SECTION] im2col      unfold the window into columns, then GEMM
// [SECTION] dispatch    the three backend entries: depthwise (G == C_in == C_out, in
//                       core/cpu/conv2d_depthwise.cpp), else 1x1 (K = 1, stride 1, padding
//                       0, in core/cpu/conv2d_1x1.cpp), else im2col
#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/cpu/conv2d_1x1.h"
#include "core/cpu/conv2d_depthwise.h"
#include "core/cpu/gemm.h"
#include "core/cpu/kernel_helpers.h"
#include "core/cpu/kernels.h"

namespace sl::cpu {

namespace {

// [SECTION] helpers ------------------------------------------------------------------

// dw [size] = sum over units u of what add_unit(u, partial) adds into a zeroed partial.
// Each thread sums its own contiguous share of units into a private partial, then the
// threads add the partials together slice by slice: no two threads write one float.
template <class AddUnit>
void reduce_units(float* dw, int64_t size, int64_t units, AddUnit add_unit) {
  thread_local std::vector<float> partials;
  int threads = (int)std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), units));
  float* base = scratch(partials, threads * size);
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    float* mine = base + t * size;
    std::fill(mine, mine + size, 0.f);
    for (int64_t u = units * t / nt; u < units * (t + 1) / nt; ++u) add_unit(u, mine);
#pragma omp barrier
#pragma omp for
    for (int64_t i = 0; i < size; ++i) {
      float sum = 0.f;
      for (int p = 0; p < nt; ++p) sum += base[p * size + i];
      dw[i] = sum;
    }
  }
}

}  // namespace

// [SECTION] reference ----------------------------------------------------------------

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out].
// out[n, co, oh, ow] = sum_{ci, kh, kw} x[n, g*C_in/G + ci, oh*s - p + kh, ow*s - p + kw]
//                      * w[co, ci, kh, kw], with g = co / (C_out/G) and x = 0 outside.
void conv2d_forward_reference(float* out, const float* x, const float* w, const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t co = 0; co < s.C_out; ++co)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) {
          float sum = 0.f;
          for (int64_t ci = 0; ci < cgi; ++ci)
            for (int64_t kh = 0; kh < s.K; ++kh)
              for (int64_t kw = 0; kw < s.K; ++kw) {
                int64_t ih = oh * s.stride - s.padding + kh, iw = ow * s.stride - s.padding + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                int64_t c = co / cgo * cgi + ci;
                sum += x[((n * s.C_in + c) * s.H + ih) * s.W + iw] *
                       w[((co * cgi + ci) * s.K + kh) * s.K + kw];
              }
          out[((n * s.C_out + co) * s.H_out + oh) * s.W_out + ow] = sum;
        }
}

// dout [N, C_out, H_out, W_out], w [C_out, C_in/G, K, K] -> dx [N, C_in, H, W]:
// every product of the forward sends dout * w back to the x element it read.
void conv2d_backward_input_reference(float* dx, const float* dout, const float* w,
                                     const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  std::fill(dx, dx + s.N * s.C_in * s.H * s.W, 0.f);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t co = 0; co < s.C_out; ++co)
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow)
          for (int64_t ci = 0; ci < cgi; ++ci)
            for (int64_t kh = 0; kh < s.K; ++kh)
              for (int64_t kw = 0; kw < s.K; ++kw) {
                int64_t ih = oh * s.stride - s.padding + kh, iw = ow * s.stride - s.padding + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                int64_t c = co / cgo * cgi + ci;
                dx[((n * s.C_in + c) * s.H + ih) * s.W + iw] +=
                    dout[((n * s.C_out + co) * s.H_out + oh) * s.W_out + ow] *
                    w[((co * cgi + ci) * s.K + kh) * s.K + kw];
              }
}

// dout [N, C_out, H_out, W_out], x [N, C_in, H, W] -> dw [C_out, C_in/G, K, K]:
// dw[co, ci, kh, kw] = sum_{n, oh, ow} dout[n, co, oh, ow] * (the x the forward paired with it).
void conv2d_backward_weight_reference(float* dw, const float* dout, const float* x,
                                      const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  for (int64_t co = 0; co < s.C_out; ++co)
    for (int64_t ci = 0; ci < cgi; ++ci)
      for (int64_t kh = 0; kh < s.K; ++kh)
        for (int64_t kw = 0; kw < s.K; ++kw) {
          float sum = 0.f;
          for (int64_t n = 0; n < s.N; ++n)
            for (int64_t oh = 0; oh < s.H_out; ++oh)
              for (int64_t ow = 0; ow < s.W_out; ++ow) {
                int64_t ih = oh * s.stride - s.padding + kh, iw = ow * s.stride - s.padding + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                int64_t c = co / cgo * cgi + ci;
                sum += dout[((n * s.C_out + co) * s.H_out + oh) * s.W_out + ow] *
                       x[((n * s.C_in + c) * s.H + ih) * s.W + iw];
              }
          dw[((co * cgi + ci) * s.K + kh) * s.K + kw] = sum;
        }
}

namespace {

// [SECTION] im2col -------------------------------------------------------------------
// col [C_in/G * K * K, H_out * W_out]: row (ci, kh, kw) holds, for every output pixel,
// the input value that tap multiplies (0 in the padding). Then a convolution of one
// (image, group) is out [C_out/G, HWo] = w_g [C_out/G, C_in/G*K*K] @ col.

void im2col(float* col, const float* x, int64_t cgi, const Conv2dShape& s) {
  int64_t hwo = s.H_out * s.W_out;
  for (int64_t ci = 0; ci < cgi; ++ci)
    for (int64_t kh = 0; kh < s.K; ++kh)
      for (int64_t kw = 0; kw < s.K; ++kw) {
        float* row = col + ((ci * s.K + kh) * s.K + kw) * hwo;
        int64_t lo, hi;
        valid_range(s.W_out, s.W, s.stride, kw - s.padding, lo, hi);
        for (int64_t oh = 0; oh < s.H_out; ++oh) {
          float* r = row + oh * s.W_out;
          int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) {
            std::fill(r, r + s.W_out, 0.f);
            continue;
          }
          const float* xr = x + (ci * s.H + ih) * s.W + kw - s.padding;
          std::fill(r, r + lo, 0.f);
          for (int64_t ow = lo; ow < hi; ++ow) r[ow] = xr[ow * s.stride];
          std::fill(r + hi, r + s.W_out, 0.f);
        }
      }
}

// The adjoint of im2col: add every column entry back onto the x element it came from.
void col2im(float* dx, const float* col, int64_t cgi, const Conv2dShape& s) {
  int64_t hwo = s.H_out * s.W_out;
  std::fill(dx, dx + cgi * s.H * s.W, 0.f);
  for (int64_t ci = 0; ci < cgi; ++ci)
    for (int64_t kh = 0; kh < s.K; ++kh)
      for (int64_t kw = 0; kw < s.K; ++kw) {
        const float* row = col + ((ci * s.K + kh) * s.K + kw) * hwo;
        int64_t lo, hi;
        valid_range(s.W_out, s.W, s.stride, kw - s.padding, lo, hi);
        for (int64_t oh = 0; oh < s.H_out; ++oh) {
          int64_t ih = oh * s.stride - s.padding + kh;
          if (ih < 0 || ih >= s.H) continue;
          float* dr = dx + (ci * s.H + ih) * s.W + kw - s.padding;
          for (int64_t ow = lo; ow < hi; ++ow) dr[ow * s.stride] += row[oh * s.W_out + ow];
        }
      }
}

void forward_im2col(float* out, const float* x, const float* w, const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, ckk = cgi * s.K * s.K;
  int64_t hwo = s.H_out * s.W_out;
#pragma omp parallel for schedule(static)  // see scratch(): same tasks per thread each call
  for (int64_t t = 0; t < s.N * s.groups; ++t) {
    int64_t n = t / s.groups, g = t % s.groups;
    thread_local std::vector<float> buf;
    float* col = scratch(buf, ckk * hwo);
    im2col(col, x + (n * s.C_in + g * cgi) * s.H * s.W, cgi, s);
    gemm({.M = cgo,
          .N = hwo,
          .K = ckk,
          .a = w + g * cgo * ckk,
          .lda = ckk,
          .trans_a = false,
          .b = col,
          .ldb = hwo,
          .trans_b = false,
          .c = out + (n * s.C_out + g * cgo) * hwo,
          .ldc = hwo,
          .accumulate = false});
  }
}

// col = w_g^T [C_in/G*K*K, C_out/G] @ dout[n,g] [C_out/G, HWo], then col2im into dx[n,g].
void backward_input_im2col(float* dx, const float* dout, const float* w, const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, ckk = cgi * s.K * s.K;
  int64_t hwo = s.H_out * s.W_out;
#pragma omp parallel for schedule(static)  // see scratch(): same tasks per thread each call
  for (int64_t t = 0; t < s.N * s.groups; ++t) {
    int64_t n = t / s.groups, g = t % s.groups;
    thread_local std::vector<float> buf;
    float* col = scratch(buf, ckk * hwo);
    gemm({.M = ckk,
          .N = hwo,
          .K = cgo,
          .a = w + g * cgo * ckk,
          .lda = ckk,
          .trans_a = true,
          .b = dout + (n * s.C_out + g * cgo) * hwo,
          .ldb = hwo,
          .trans_b = false,
          .c = col,
          .ldc = hwo,
          .accumulate = false});
    col2im(dx + (n * s.C_in + g * cgi) * s.H * s.W, col, cgi, s);
  }
}

// dw_g [C_out/G, C_in/G*K*K] = sum_n dout[n,g] [C_out/G, HWo] @ col^T [HWo, C_in/G*K*K].
void backward_weight_im2col(float* dw, const float* dout, const float* x, const Conv2dShape& s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, ckk = cgi * s.K * s.K;
  int64_t hwo = s.H_out * s.W_out;
  reduce_units(dw, s.C_out * ckk, s.N * s.groups, [&](int64_t u, float* part) {
    int64_t n = u / s.groups, g = u % s.groups;
    thread_local std::vector<float> buf;
    float* col = scratch(buf, ckk * hwo);
    im2col(col, x + (n * s.C_in + g * cgi) * s.H * s.W, cgi, s);
    gemm({.M = cgo,
          .N = ckk,
          .K = hwo,
          .a = dout + (n * s.C_out + g * cgo) * hwo,
          .lda = hwo,
          .trans_a = false,
          .b = col,
          .ldb = hwo,
          .trans_b = true,
          .c = part + g * cgo * ckk,
          .ldc = ckk,
          .accumulate = true});
  });
}

bool is_depthwise(const Conv2dShape& s) { return s.groups == s.C_in && s.groups == s.C_out; }
bool is_pointwise(const Conv2dShape& s) { return s.K == 1 && s.stride == 1 && s.padding == 0; }

}  // namespace

// [SECTION] dispatch -----------------------------------------------------------------

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out].
void conv2d_forward(float* out, const float* x, const float* w, const Conv2dShape& s) {
  if (is_depthwise(s)) return conv2d_depthwise_forward(out, x, w, s);
  if (is_pointwise(s)) return conv2d_1x1_forward(out, x, w, s);
  forward_im2col(out, x, w, s);
}

// dout [N, C_out, H_out, W_out], w [C_out, C_in/G, K, K] -> dx [N, C_in, H, W].
void conv2d_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s) {
  if (is_depthwise(s)) return conv2d_depthwise_backward_input(dx, dout, w, s);
  if (is_pointwise(s)) return conv2d_1x1_backward_input(dx, dout, w, s);
  backward_input_im2col(dx, dout, w, s);
}

// dout [N, C_out, H_out, W_out], x [N, C_in, H, W] -> dw [C_out, C_in/G, K, K] (overwritten).
void conv2d_backward_weight(float* dw, const float* dout, const float* x, const Conv2dShape& s) {
  if (is_depthwise(s)) return conv2d_depthwise_backward_weight(dw, dout, x, s);
  if (is_pointwise(s)) return conv2d_1x1_backward_weight(dw, dout, x, s);
  backward_weight_im2col(dw, dout, x, s);
}

}  // namespace sl::cpu
