// lessons/04_convolution/solution/exercise.cpp - reference answer to exercise 04; CI runs
// the same checker on it (test exercise_04_solution) so the exercise stays solvable.
// Plain loops, like sl::cpu::conv2d_forward_reference in core/cpu/conv2d.cpp.
#include "lessons/04_convolution/exercise.h"

using sl::Tensor;

namespace {
// Sizes shared by both functions, from x [N, C_in, H, W] and w [C_out, C_in/G, K, K].
struct Dims {
  int64_t N, C_in, H, W, C_out, Cg_in, Cg_out, K, H_out, W_out;
};
Dims dims(const Tensor& x, const sl::Shape& w, const sl::Conv2dParams& p) {
  Dims d{x.size(0), x.size(1), x.size(2), x.size(3), w[0], w[1], w[0] / p.groups, w[2], 0, 0};
  d.H_out = (d.H + 2 * p.padding - d.K) / p.stride + 1;
  d.W_out = (d.W + 2 * p.padding - d.K) / p.stride + 1;
  return d;
}
}  // namespace

Tensor conv2d_forward_by_hand(const Tensor& x, const Tensor& w, const sl::Conv2dParams& p) {
  const Dims d = dims(x, w.shape(), p);
  Tensor out = Tensor::zeros({d.N, d.C_out, d.H_out, d.W_out});
  float* o = out.data();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t co = 0; co < d.C_out; ++co) {
      const int64_t first_in = (co / d.Cg_out) * d.Cg_in;  // this output's group
      for (int64_t oh = 0; oh < d.H_out; ++oh)
        for (int64_t ow = 0; ow < d.W_out; ++ow) {
          float acc = 0;
          for (int64_t ci = 0; ci < d.Cg_in; ++ci)
            for (int64_t kh = 0; kh < d.K; ++kh)
              for (int64_t kw = 0; kw < d.K; ++kw) {
                const int64_t ih = oh * p.stride - p.padding + kh,
                              iw = ow * p.stride - p.padding + kw;
                if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;  // zero padding
                acc += x.at({n, first_in + ci, ih, iw}) * w.at({co, ci, kh, kw});
              }
          *o++ = acc;
        }
    }
  return out;
}

Tensor conv2d_weight_grad_by_hand(const Tensor& x, const Tensor& dout, const sl::Shape& w_shape,
                                  const sl::Conv2dParams& p) {
  const Dims d = dims(x, w_shape, p);
  Tensor dw = Tensor::zeros(w_shape);
  float* g = dw.data();
  for (int64_t co = 0; co < d.C_out; ++co) {
    const int64_t first_in = (co / d.Cg_out) * d.Cg_in;
    for (int64_t ci = 0; ci < d.Cg_in; ++ci)
      for (int64_t kh = 0; kh < d.K; ++kh)
        for (int64_t kw = 0; kw < d.K; ++kw) {
          float acc = 0;
          for (int64_t n = 0; n < d.N; ++n)
            for (int64_t oh = 0; oh < d.H_out; ++oh)
              for (int64_t ow = 0; ow < d.W_out; ++ow) {
                const int64_t ih = oh * p.stride - p.padding + kh,
                              iw = ow * p.stride - p.padding + kw;
                if (ih < 0 || ih >= d.H || iw < 0 || iw >= d.W) continue;
                acc += dout.at({n, co, oh, ow}) * x.at({n, first_in + ci, ih, iw});
              }
          g[((co * d.Cg_in + ci) * d.K + kh) * d.K + kw] = acc;
        }
  }
  return dw;
}
