// nn/batchnorm.h - batch normalization over channels (BatchNorm2d, and BatchNorm1d on
// [N, C]), PyTorch's semantics: training normalizes with the batch's biased variance and
// updates the running statistics with the unbiased one; eval uses the running statistics.
// Differentiable in x, gamma and beta in both modes. Also BN + ReLU fused. Not here: the module
// that owns the tensors (nn/layers.h), the loops (core/cpu/ behind core/backend.h).
#pragma once
#include "core/tensor.h"

namespace sl {

struct BatchNormParams {
  bool training = true;
  float momentum = 0.1f;  // running = (1 - momentum) * running + momentum * batch statistic
  float eps = 1e-5f;
};

// x [N, C, H, W] or [N, C]; gamma, beta, running_mean, running_var [C].
// out = (x - mean) / sqrt(var + eps) * gamma + beta, per channel.
// Training updates running_mean and running_var in place (when they are defined).
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                  const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormParams& p = {});

// relu(batch_norm(x, ...)) fused (its reference twin is batch_norm_relu_reference, that
// composition): the same values, gradients and running statistics, with the ReLU applied in
// the normalizing pass and its mask read from the output in the backward, so that the
// pre-activation is never stored. A backend without the fused kernels runs the pair.
Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                       const Tensor& running_mean, const Tensor& running_var,
                       const BatchNormParams& p = {});
Tensor batch_norm_relu_reference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                 const Tensor& running_mean, const Tensor& running_var,
                                 const BatchNormParams& p = {});

}  // namespace sl
