// nn/conv2d.cpp - conv2d forward and backward, side by side. Forward and both gradients
// are backend kernels (core/backend.h); this file is the glue: shape checks, contiguous
// inputs, the recorded backward. Not here: the loops (core/cpu/), the cost (the Conv2d
// layer hands conv2d_shape to nn/cost).
#include "nn/conv2d.h"

namespace sl {

Conv2dShape conv2d_shape(const Shape& x, const Shape& w, const Conv2dParams& p) {
  SL_CHECK(x.size() == 4, "conv2d: x must be [N, C_in, H, W], it is ", shape_str(x));
  SL_CHECK(w.size() == 4, "conv2d: w must be [C_out, C_in/G, K, K], it is ", shape_str(w));
  SL_CHECK(w[2] == w[3], "conv2d: only square kernels, w is ", shape_str(w));
  SL_CHECK(p.groups >= 1 && p.stride >= 1 && p.padding >= 0,
           "conv2d: needs groups >= 1, stride >= 1, ", "padding >= 0; got groups ", p.groups,
           ", stride ", p.stride, ", padding ", p.padding);
  const int64_t G = p.groups;
  SL_CHECK(x[1] == w[1] * G, "conv2d: x is ", shape_str(x), " but w expects C_in/G = ", w[1],
           "; w is ", shape_str(w), ", groups ", G, ", so C_in must be ", w[1] * G);
  SL_CHECK(w[0] % G == 0, "conv2d: C_out = ", w[0], " (w is ", shape_str(w),
           ") is not divisible by groups ", G);
  const int64_t K = w[2];
  SL_CHECK(x[2] + 2 * p.padding >= K && x[3] + 2 * p.padding >= K, "conv2d: x is ", shape_str(x),
           " but the kernel K = ", K, " is larger than the padded input (padding ", p.padding, ")");
  Conv2dShape s{};
  s.N = x[0];
  s.C_in = x[1];
  s.H = x[2];
  s.W = x[3];
  s.C_out = w[0];
  s.K = K;
  s.stride = p.stride;
  s.padding = p.padding;
  s.groups = G;
  s.H_out = (s.H + 2 * p.padding - K) / p.stride + 1;
  s.W_out = (s.W + 2 * p.padding - K) / p.stride + 1;
  return s;
}

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out]
Tensor conv2d(const Tensor& x, const Tensor& w, const Conv2dParams& p) {
  const Conv2dShape s = conv2d_shape(x.shape(), w.shape(), p);
  SL_CHECK(x.device() == w.device(), "conv2d: x is on ", device_name(x.device()), " but w is on ",
           device_name(w.device()));
  const Device dev = x.device();
  const Tensor xc = x.contiguous(), wc = w.contiguous();
  Tensor out = Tensor::empty({s.N, s.C_out, s.H_out, s.W_out}, dev);
  SL_KERNEL(dev, conv2d_forward)(out.data(), xc.data(), wc.data(), s);

  // dx [N, C_in, H, W] = dout correlated with the flipped w (a transposed convolution);
  // dw [C_out, C_in/G, K, K] = sum over N, H_out, W_out of dout times the x patch.
  // Each is computed only when its input wants it; x is kept only for dw.
  const bool need_dx = x.requires_grad(), need_dw = w.requires_grad();
  const Tensor x_saved = need_dw ? xc.detach() : Tensor();
  const Tensor w_saved = need_dx ? wc.detach() : Tensor();
  record(out, "conv2d", {x, w}, [=](const Tensor& dout) -> std::vector<Tensor> {
    const Tensor d = dout.contiguous();
    Tensor dx, dw;
    if (need_dx) {
      dx = Tensor::empty({s.N, s.C_in, s.H, s.W}, dout.device());  // the kernels overwrite
      SL_KERNEL(d.device(), conv2d_backward_input)(dx.data(), d.data(), w_saved.data(), s);
    }
    if (need_dw) {
      dw = Tensor::empty({s.C_out, s.C_in / s.groups, s.K, s.K}, dout.device());
      SL_KERNEL(d.device(), conv2d_backward_weight)(dw.data(), d.data(), x_saved.data(), s);
    }
    return {dx, dw};
  });

  return out;
}

}  // namespace sl
