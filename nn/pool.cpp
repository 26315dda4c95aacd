// nn/pool.cpp - max/avg pooling forward and backward over the backend kernels, and the
// global average pool as a composition (mean over H, W). Not here: the loops.
#include "nn/pool.h"

namespace sl {

Pool2dShape pool2d_shape(const char* op, const Shape& x, const Pool2dParams& p) {
  SL_CHECK(x.size() == 4, op, ": x must be [N, C, H, W], it is ", shape_str(x));
  const int64_t K = p.kernel, stride = p.stride == 0 ? p.kernel : p.stride;
  SL_CHECK(K >= 1 && stride >= 1 && p.padding >= 0, op,
           ": needs kernel >= 1, stride >= 1, padding >= 0; got ", "kernel ", K, ", stride ",
           stride, ", padding ", p.padding);
  SL_CHECK(2 * p.padding <= K, op, ": padding ", p.padding, " must be at most half the kernel ", K);
  SL_CHECK(x[2] + 2 * p.padding >= K && x[3] + 2 * p.padding >= K, op, ": x is ", shape_str(x),
           " but the window K = ", K, " is larger than the padded input (padding ", p.padding, ")");
  Pool2dShape s{};
  s.N = x[0];
  s.C = x[1];
  s.H = x[2];
  s.W = x[3];
  s.K = K;
  s.stride = stride;
  s.padding = p.padding;
  s.H_out = (s.H + 2 * p.padding - K) / stride + 1;
  s.W_out = (s.W + 2 * p.padding - K) / stride + 1;
  return s;
}

// x [N, C, H, W] -> out [N, C, H_out, W_out]; idx holds, per output, the flat input
// index of its max (the kernel's convention), so backward scatters dout there.
Tensor max_pool2d(const Tensor& x, const Pool2dParams& p) {
  const Pool2dShape s = pool2d_shape("max_pool2d", x.shape(), p);
  const Device dev = x.device();
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty({s.N, s.C, s.H_out, s.W_out}, dev);
  // int32 indices live in a float tensor's storage (same size, same device, freed with it).
  Tensor idx = Tensor::empty(out.shape(), dev);
  auto* idx_ptr = reinterpret_cast<int32_t*>(idx.data());
  SL_KERNEL(dev, maxpool2d_forward)(out.data(), idx_ptr, xc.data(), s);

  record(out, "max_pool2d", {x}, [=](const Tensor& dout) -> std::vector<Tensor> {
    const Tensor d = dout.contiguous();
    Tensor dx = Tensor::zeros({s.N, s.C, s.H, s.W}, d.device());
    SL_KERNEL(d.device(), maxpool2d_backward)
    (dx.data(), d.data(), reinterpret_cast<const int32_t*>(idx.data()), s);
    return {dx};
  });
  return out;
}

// x [N, C, H, W] -> out [N, C, H_out, W_out]; out = sum(window) / (K*K)
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p) {
  const Pool2dShape s = pool2d_shape("avg_pool2d", x.shape(), p);
  const Device dev = x.device();
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty({s.N, s.C, s.H_out, s.W_out}, dev);
  SL_KERNEL(dev, avgpool2d_forward)(out.data(), xc.data(), s);

  // dx: every input cell of a window receives dout / (K*K).
  record(out, "avg_pool2d", {x}, [=](const Tensor& dout) -> std::vector<Tensor> {
    const Tensor d = dout.contiguous();
    Tensor dx = Tensor::zeros({s.N, s.C, s.H, s.W}, d.device());
    SL_KERNEL(d.device(), avgpool2d_backward)(dx.data(), d.data(), s);
    return {dx};
  });
  return out;
}

// x [N, C, H, W] -> [N, C]; a composition, so autograd comes from mean.
Tensor global_avg_pool(const Tensor& x) {
  SL_CHECK(x.dim() == 4, "global_avg_pool: x must be [N, C, H, W], it is ", shape_str(x.shape()));
  Tensor out = mean(x, {2, 3});
  return out;
}

}  // namespace sl
