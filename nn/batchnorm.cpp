// nn/batchnorm.cpp - batch_norm forward and backward, training and eval, and batch_norm_relu
// (the same fused with the ReLU after it), both one body (normalize). The statistics, the
// normalize and the training-mode backwards are backend kernels; the eval-mode backward (a
// per-channel affine map) is written with tensor ops. Not here: the loops
// (core/cpu/batchnorm.cpp).
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

// The statistics batch_norm and batch_norm_relu normalize with: the batch's (training, which
// also updates the running averages in place) or the running ones (eval). No autograd.
struct Stats {
  Tensor mean, invstd;
};
Stats statistics(const Tensor& xc, const Tensor& running_mean, const Tensor& running_var,
                 const BatchNormParams& p, const BatchNormShape& s) {
  const Device dev = xc.device();
  NoGradGuard no_grad;
  Stats st;
  if (p.training) {
    const int64_t n = s.N * s.HW;  // values per channel
    SL_CHECK(n > 1, "batch_norm: training needs more than one value per channel, x is ",
             shape_str(xc.shape()), " (use eval mode for a single value)");
    st.mean = Tensor::empty({s.C}, dev);
    Tensor var = Tensor::empty({s.C}, dev);  // biased: sum((x - mean)^2) / n
    SL_KERNEL(dev, batchnorm_stats)(st.mean.data(), var.data(), xc.data(), s);
    const float m = p.momentum;
    const float unbias = (float)n / (float)(n - 1);  // PyTorch stores the unbiased variance
    const auto running = backend(dev).batchnorm_running;
    auto in_place = [&](const Tensor& t) {  // a buffer the kernel may update where it lies
      return !t.defined() || (t.is_contiguous() && t.device() == dev && t.numel() == s.C);
    };
    if (running != nullptr && in_place(running_mean) && in_place(running_var)) {
      // One launch: invstd and both running averages (the ops below, fused).
      st.invstd = Tensor::empty({s.C}, dev);
      running(st.invstd.data(), running_mean.defined() ? running_mean.data() : nullptr,
              running_var.defined() ? running_var.data() : nullptr, st.mean.data(), var.data(), s.C,
              p.eps, m, unbias);
    } else {
      st.invstd = invstd_of(var, p.eps);
      if (running_mean.defined()) copy_into(running_mean, running_mean * (1.f - m) + st.mean * m);
      if (running_var.defined())
        copy_into(running_var, running_var * (1.f - m) + var * (m * unbias));
    }
  } else {
    SL_CHECK(running_mean.defined() && running_var.defined(),
             "batch_norm: eval mode needs running_mean and running_var");
    st.mean = running_mean.detach().clone();  // a snapshot: backward must see these values
    st.invstd = invstd_of(running_var, p.eps);
  }
  return st;
}

// Eval-mode backward: mean and invstd are constants, so out = x * (gamma * invstd) + shift,
// and dx = d * gamma * invstd, dgamma = sum(d * xhat), dbeta = sum(d), with d = dout.
std::vector<Tensor> eval_backward(const Tensor& d_in, const Tensor& x_saved, const Tensor& g_saved,
                                  const Stats& st, const BatchNormShape& s) {
  const Shape per_channel = {1, s.C, 1};  // broadcasts against [N, C, HW]
  const Tensor d = d_in.reshape({s.N, s.C, s.HW});
  const Tensor xhat =
      (x_saved.reshape({s.N, s.C, s.HW}) - st.mean.view(per_channel)) * st.invstd.view(per_channel);
  const Tensor dx = (d * (g_saved * st.invstd).view(per_channel)).reshape(x_saved.shape());
  return {dx, sum(d * xhat, {0, 2}), sum(d, {0, 2})};
}

// The one body of batch_norm (relu false) and batch_norm_relu (relu true): x [N, C, H, W]
// (viewed as [N, C, HW]) -> out, same shape. The statistics pass, then one pass that
// normalizes (and clamps); the training backward is one kernel (core/cpu/batchnorm.cpp).
// With relu, the training backward recomputes ReLU's mask from x (the pre-activation is
// never stored, and the output need not stay alive for it); the eval backward reads the mask
// from the saved output y (y > 0 where the pre-activation was > 0).
Tensor normalize(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                 const Tensor& running_mean, const Tensor& running_var, const BatchNormParams& p,
                 bool relu) {
  const BatchNormShape s = bn_shape(x, gamma, beta, running_mean, running_var);
  const Device dev = x.device();
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), dev);
  const Stats st = statistics(xc, running_mean, running_var, p, s);
  const Tensor g = gamma.contiguous(), b = beta.contiguous();
  const auto forward =
      relu ? SL_KERNEL(dev, batchnorm_relu_forward) : SL_KERNEL(dev, batchnorm_forward);
  forward(out.data(), xc.data(), st.mean.data(), st.invstd.data(), g.data(), b.data(), s);

  const Tensor x_saved = xc.detach(), g_saved = g.detach(), b_saved = b.detach();
  const Tensor y_saved = relu && !p.training ? out.detach() : Tensor();  // eval ReLU's mask
  const char* op = relu ? "batch_norm_relu" : "batch_norm";
  if (p.training) {
    // With xhat = (x - mean) * invstd over the n = N*HW values of a channel and g = dout
    // (times the ReLU's mask, pre-activation > 0): dbeta = sum(g), dgamma = sum(g * xhat),
    // dx = gamma * invstd * (g - dbeta / n - xhat * dgamma / n); one kernel does all three.
    record(out, op, {x, gamma, beta}, [=](const Tensor& dout) -> std::vector<Tensor> {
      const Tensor d = dout.contiguous();
      Tensor dx = Tensor::empty(x_saved.shape(), d.device());
      Tensor dgamma = Tensor::empty({s.C}, d.device()), dbeta = Tensor::empty({s.C}, d.device());
      if (relu) {
        SL_KERNEL(d.device(), batchnorm_relu_backward)
        (dx.data(), dgamma.data(), dbeta.data(), d.data(), x_saved.data(), st.mean.data(),
         st.invstd.data(), g_saved.data(), b_saved.data(), s);
      } else {
        SL_KERNEL(d.device(), batchnorm_backward)
        (dx.data(), dgamma.data(), dbeta.data(), d.data(), x_saved.data(), st.mean.data(),
         st.invstd.data(), g_saved.data(), s);
      }
      return {dx, dgamma, dbeta};
    });
  } else {
    // Eval: ReLU's backward first when there is one (one relu_backward pass over y), then the
    // affine map's.
    record(out, op, {x, gamma, beta}, [=](const Tensor& dout) -> std::vector<Tensor> {
      if (!relu) return eval_backward(dout, x_saved, g_saved, st, s);
      const Tensor d = dout.contiguous();
      Tensor masked = Tensor::empty(d.shape(), d.device());
      SL_KERNEL(d.device(), relu_backward)(masked.data(), d.data(), y_saved.data(), d.numel());
      return eval_backward(masked, x_saved, g_saved, st, s);
    });
  }
  return out;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                  const Tensor& running_mean, const Tensor& running_var, const BatchNormParams& p) {
  return normalize(x, gamma, beta, running_mean, running_var, p, false);
}

Tensor batch_norm_relu_reference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 const Tensor& running_mean, const Tensor& running_var,
                                 const BatchNormParams& p) {
  return relu(batch_norm(x, gamma, beta, running_mean, running_var, p));
}

// A backend without the fused pair runs the reference composition.
Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                       const Tensor& running_mean, const Tensor& running_var,
                       const BatchNormParams& p) {
  const Backend& be = backend(x.device());
  if (be.batchnorm_relu_forward == nullptr || be.batchnorm_relu_backward == nullptr)
    return batch_norm_relu_reference(x, gamma, beta, running_mean, running_var, p);
  return normalize(x, gamma, beta, running_mean, running_var, p, true);
}

}  // namespace sl
