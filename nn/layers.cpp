// nn/layers.cpp - constructors (shapes and registration order = state_dict key order)
// and one-line forwards over the ops; init_weights.
#include "nn/layers.h"

#include <cmath>

#include "nn/elementwise.h"
#include "nn/linear.h"

namespace sl {

Conv2d::Conv2d(int64_t c_in, int64_t c_out, int64_t kernel, const Conv2dParams& p) : params(p) {
  SL_CHECK(p.groups >= 1 && c_in % p.groups == 0 && c_out % p.groups == 0, "Conv2d: C_in = ", c_in,
           " and C_out = ", c_out, " must both be divisible by groups ", p.groups);
  weight = Tensor::zeros({c_out, c_in / p.groups, kernel, kernel});
  register_parameter("weight", &weight);
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, params); }

BatchNorm2d::BatchNorm2d(int64_t channels, float eps_, float momentum_) : eps(eps_), momentum(momentum_) {
  weight = Tensor::ones({channels});
  bias = Tensor::zeros({channels});
  running_mean = Tensor::zeros({channels});
  running_var = Tensor::ones({channels});
  num_batches_tracked = Tensor::zeros({});
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
  register_buffer("running_mean", &running_mean);
  register_buffer("running_var", &running_var);
  register_buffer("num_batches_tracked", &num_batches_tracked, DType::i64);
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  const bool training = is_training();
  Tensor out = batch_norm(x, weight, bias, running_mean, running_var,
                          {.training = training, .momentum = momentum, .eps = eps});
  if (training) {
    NoGradGuard no_grad;
    copy_into(num_batches_tracked, num_batches_tracked + 1.f);
  }
  return out;
}

Tensor ReLU::forward(const Tensor& x) { return relu_layer(x); }

Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, params); }

Linear::Linear(int64_t in, int64_t out, bool has_bias) {
  weight = Tensor::zeros({out, in});
  register_parameter("weight", &weight);
  if (has_bias) {
    bias = Tensor::zeros({out});
    register_parameter("bias", &bias);
  }
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

void init_weights(Module& model, uint64_t seed) {
  Generator gen(seed);
  NoGradGuard no_grad;
  model.apply([&](Module& m) {
    if (auto* conv = dynamic_cast<Conv2d*>(&m)) {
      const Shape& w = conv->weight.shape();  // [C_out, C_in/G, K, K]; fan_out = C_out * K * K
      const float std = std::sqrt(2.f / (float)(w[0] * w[2] * w[3]));
      copy_into(conv->weight, Tensor::randn(w, gen, 0.f, std));
    } else if (auto* bn = dynamic_cast<BatchNorm2d*>(&m)) {
      copy_into(bn->weight, Tensor::ones(bn->weight.shape()));
      copy_into(bn->bias, Tensor::zeros(bn->bias.shape()));
    } else if (auto* fc = dynamic_cast<Linear*>(&m)) {
      copy_into(fc->weight, Tensor::randn(fc->weight.shape(), gen, 0.f, 0.01f));
      if (fc->bias.defined()) copy_into(fc->bias, Tensor::zeros(fc->bias.shape()));
    }
  });
}

}  // namespace sl
