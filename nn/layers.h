// nn/layers.h - the modules that own parameters or sit in torchvision's Sequentials:
// Conv2d, BatchNorm2d, ReLU, MaxPool2d, Linear. Each forward is one call of the matching
// op (nn/conv2d.h, nn/batchnorm.h, ...), so the math lives in one place. Also the
// torchvision-style initialisation used by every model. Not here: Module itself.
#pragma once
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/module.h"
#include "nn/pool.h"

namespace sl {

// weight [C_out, C_in/G, K, K], no bias.
class Conv2d : public Module {
 public:
  Conv2d(int64_t c_in, int64_t c_out, int64_t kernel, const Conv2dParams& p = {});
  Tensor forward(const Tensor& x) override;  // [N, C_in, H, W] -> [N, C_out, H_out, W_out]
  std::string type() const override { return "Conv2d"; }
  Tensor weight;
  Conv2dParams params;
};

// weight (gamma) [C] = 1, bias (beta) [C] = 0; buffers running_mean [C] = 0,
// running_var [C] = 1, num_batches_tracked (I64 scalar in files).
class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t channels, float eps = 1e-5f, float momentum = 0.1f);
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> same
  std::string type() const override { return "BatchNorm2d"; }
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  float eps, momentum;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // any shape -> same
  std::string type() const override { return "ReLU"; }
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const Pool2dParams& p) : params(p) {}
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C, H_out, W_out]
  std::string type() const override { return "MaxPool2d"; }
  Pool2dParams params;
};

// weight [O, I], bias [O].
class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, bool bias = true);
  Tensor forward(const Tensor& x) override;  // [N, I] -> [N, O]
  std::string type() const override { return "Linear"; }
  Tensor weight, bias;
};

// torchvision's classification init: Conv2d weights Kaiming-normal with fan_out and ReLU
// gain (std = sqrt(2 / (C_out * K * K))), BatchNorm weight 1 and bias 0, Linear weight
// N(0, 0.01) and bias 0. Deterministic for a given seed.
void init_weights(Module& model, uint64_t seed);

}  // namespace sl
