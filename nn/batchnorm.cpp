// nn/batchnorm.cpp - batch_norm forward and backward, training and eval. The statistics,
// the fused normalize and the training-mode backward are backend kernels; the eval-mode
// backward (a per-channel affine map) is written with tensor ops. Not here: the loops.
#include "nn/batchnorm.h"

#include "nn/module.h"

namespace sl {

namespace {

BatchNormShape bn_shape(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& rm,
                        const Tensor& rv) {
  SL_CHECK(x.dim() == 4 || x.dim() == 2, "batch_norm: x must be [N, C, H, W] or [N, C], it is ",
           shape_str(x.shape()));
  const int64_t C = x.size(1);
  auto check_c = [&](const Tensor& t, const char* what) {
    SL_CHECK(t.defined() && t.dim() == 1 && t.size(0) == C, "batch_norm: x is ",
             shape_str(x.shape()), " so ", what, " must be (", C, "), it is ",
             t.defined() ? shape_str(t.shape()) : "undefined");
    SL_CHECK(t.device() == x.device(), "batch_norm: ", what, " is on ", device_name(t.device()),
             " but x is on ", device_name(x.device()));
  };
  check_c(gamma, "gamma");
  check_c(beta, "beta");
  if (rm.defined()) check_c(rm, "running_mean");
  if (rv.defined()) check_c(rv, "running_var");
  const int64_t HW = x.dim() == 4 ? x.size(2) * x.size(3) : 1;
  return {x.size(0), C, HW};
}

// invstd [C] = 1 / sqrt(var + eps)
Tensor invstd_of(const Tensor& var, float eps) {
  return scalar(1.f, var.device()) / sqrt(var + eps);
}

}  // namespace

// x [N, C, H, W] (viewed as [N, C, HW]) -> out, same shape
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                  const Tensor& running_mean, const Tensor& running_var, const BatchNormParams& p) {
  const BatchNormShape s = bn_shape(x, gamma, beta, running_mean, running_var);
  const Device dev = x.device();
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), dev);
  Tensor mean, invstd;
  {
    NoGradGuard no_grad;
    if (p.training) {
      const int64_t n = s.N * s.HW;  // values per channel
      SL_CHECK(n > 1, "batch_norm: training needs more than one value per channel, x is ",
               shape_str(x.shape()), " (use eval mode for a single value)");
      mean = Tensor::empty({s.C}, dev);
      Tensor var = Tensor::empty({s.C}, dev);  // biased: sum((x - mean)^2) / n
      SL_KERNEL(dev, batchnorm_stats)(mean.data(), var.data(), xc.data(), s);
      invstd = invstd_of(var, p.eps);
      const float m = p.momentum;
      if (running_mean.defined()) copy_into(running_mean, running_mean * (1.f - m) + mean * m);
      if (running_var.defined()) {
        const float unbias = (float)n / (float)(n - 1);  // PyTorch stores the unbiased variance
        copy_into(running_var, running_var * (1.f - m) + var * (m * unbias));
      }
    } else {
      SL_CHECK(running_mean.defined() && running_var.defined(),
               "batch_norm: eval mode needs running_mean and running_var");
      mean = running_mean.detach().clone();  // a snapshot: backward must see these values
      invstd = invstd_of(running_var, p.eps);
    }
  }
  const Tensor g = gamma.contiguous(), b = beta.contiguous();
  SL_KERNEL(dev, batchnorm_forward)
  (out.data(), xc.data(), mean.data(), invstd.data(), g.data(), b.data(), s);

  const Tensor x_saved = xc.detach(), g_saved = g.detach();
  if (p.training) {
    // With xhat = (x - mean) * invstd over the n = N*HW values of a channel:
    // dbeta = sum(dout), dgamma = sum(dout * xhat),
    // dx = gamma * invstd * (dout - dbeta / n - xhat * dgamma / n); one kernel does all three.
    record(out, "batch_norm", {x, gamma, beta}, [=](const Tensor& dout) -> std::vector<Tensor> {
      const Tensor d = dout.contiguous();
      Tensor dx = Tensor::empty(x_saved.shape(), d.device());
      Tensor dgamma = Tensor::empty({s.C}, d.device()), dbeta = Tensor::empty({s.C}, d.device());
      SL_KERNEL(d.device(), batchnorm_backward)
      (dx.data(), dgamma.data(), dbeta.data(), d.data(), x_saved.data(), mean.data(), invstd.data(),
       g_saved.data(), s);
      return {dx, dgamma, dbeta};
    });
  } else {
    // Eval: mean and invstd are constants, so out = x * (gamma * invstd) + shift, and
    // dx = dout * gamma * invstd, dgamma = sum(dout * xhat), dbeta = sum(dout).
    record(out, "batch_norm", {x, gamma, beta}, [=](const Tensor& dout) -> std::vector<Tensor> {
      const Shape per_channel = {1, s.C, 1};  // broadcasts against [N, C, HW]
      const Tensor d = dout.reshape({s.N, s.C, s.HW});
      const Tensor xhat =
          (x_saved.reshape({s.N, s.C, s.HW}) - mean.view(per_channel)) * invstd.view(per_channel);
      const Tensor dx = (d * (g_saved * invstd).view(per_channel)).reshape(x_saved.shape());
      return {dx, sum(d * xhat, {0, 2}), sum(d, {0, 2})};
    });
  }

  return out;
}

}  // namespace sl
