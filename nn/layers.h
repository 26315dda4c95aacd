// nn/layers.h - the layers a model is built from, as Modules: Conv2d, BatchNorm2d, ReLU,
// MaxPool2d, AvgPool2d, GlobalAvgPool, Linear, and the parameter-free steps of a ShuffleNet
// unit (ChannelSplit, Concat, Add, ChannelShuffle). Each forward is one call of the matching
// op (nn/conv2d.h, nn/batchnorm.h, core's relu/add/cat/narrow/channel_shuffle, ...), so the
// math lives in one place, and each cost() hands the cost model the op's shape struct.
// Also the torchvision-style initialisation used by every model. Not here: Module itself.
#pragma once
#include <array>

#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/module.h"
#include "nn/pool.h"

namespace sl {

class ReLU;

// [SECTION] layers with parameters

// weight [C_out, C_in/G, K, K], no bias.
class Conv2d : public Module {
 public:
  Conv2d(int64_t c_in, int64_t c_out, int64_t kernel, const Conv2dParams& p = {});
  Tensor forward(const Tensor& x) override;  // [N, C_in, H, W] -> [N, C_out, H_out, W_out]
  std::string type() const override { return "Conv2d"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  Tensor weight;
  Conv2dParams params;
};

// weight (gamma) [C] = 1, bias (beta) [C] = 0; buffers running_mean [C] = 0,
// running_var [C] = 1, num_batches_tracked (I64 scalar in files).
class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t channels, float eps = 1e-5f, float momentum = 0.1f);
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> same
  // relu(this(x)) in one fused op (batch_norm_relu): the BN row records the pair's time, and
  // `relu` records its own row marked fused_into "bn". Sequential calls it for a BatchNorm2d
  // followed by a ReLU; a model may call it directly (ShuffleNet V1's bn1).
  Tensor forward_relu(const Tensor& x, ReLU& relu);
  bool fuses_with(const Module& next) const override;
  Tensor call_fused(const Tensor& x, Module& next) override;
  std::string type() const override { return "BatchNorm2d"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  float eps, momentum;

 private:
  Tensor normalize(const Tensor& x, bool relu);
};

// weight [O, I], bias [O].
class Linear : public Module {
 public:
  Linear(int64_t in, int64_t out, bool bias = true);
  Tensor forward(const Tensor& x) override;  // [N, I] -> [N, O]
  std::string type() const override { return "Linear"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  Tensor weight, bias;
};

// [SECTION] parameter-free layers

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // any shape -> same
  // y, already relu'd by the kernel of the layer before (BatchNorm2d::forward_relu), passed
  // through as this layer's call so that its cost row exists, marked fused_into `into`.
  Tensor fused(const Tensor& y, const char* into);
  std::string type() const override { return "ReLU"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;

 private:
  const char* fused_into_ = "";  // set for the call under way
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const Pool2dParams& p) : params(p) {}
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C, H_out, W_out]
  std::string type() const override { return "MaxPool2d"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  Pool2dParams params;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const Pool2dParams& p) : params(p) {}
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C, H_out, W_out]
  std::string type() const override { return "AvgPool2d"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  Pool2dParams params;
};

class GlobalAvgPool : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C]
  std::string type() const override { return "GlobalAvgPool"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
};

// core's channel_shuffle(x, groups): [N, C, H, W] -> same, channels permuted.
class ChannelShuffle : public Module {
 public:
  explicit ChannelShuffle(int64_t groups) : groups(groups) {}
  Tensor forward(const Tensor& x) override;
  // y, already shuffled by Concat::shuffled, passed through so that the cost row exists,
  // marked fused_into "concat".
  Tensor fused(const Tensor& y);
  std::string type() const override { return "ChannelShuffle"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
  int64_t groups;

 private:
  bool fused_ = false;  // the call under way is fused
};

// ShuffleNet V2's channel split: x [N, C, H, W] -> {x[:, :C/2], x[:, C/2:]}, two views made
// by x.chunk(2, 1) (no data moves). The cost model records the second half's shape.
class ChannelSplit : public Module {
 public:
  std::array<Tensor, 2> operator()(const Tensor& x);
  std::string type() const override { return "ChannelSplit"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
};

// xs [N, C_i, H, W] -> [N, sum C_i, H, W]: core's cat along channels (a copy).
class Concat : public Module {
 public:
  Tensor operator()(const std::vector<Tensor>& xs);
  // shuffle(this({a, b})) in one copy (core's cat_shuffle), ShuffleNet V2's unit output: the
  // Concat row records the pair's time, `shuffle` its own row marked fused_into "concat".
  Tensor shuffled(const Tensor& a, const Tensor& b, ChannelShuffle& shuffle);
  std::string type() const override { return "Concat"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
};

// a, b [same shape] -> a + b: core's add, ShuffleNet V1's residual (no broadcasting here).
class Add : public Module {
 public:
  Tensor operator()(const Tensor& a, const Tensor& b);
  std::string type() const override { return "Add"; }
  std::optional<LayerCost> cost(const std::vector<Shape>& in, const Shape& out) const override;
};

// torchvision's classification init: Conv2d weights Kaiming-normal with fan_out and ReLU
// gain (std = sqrt(2 / (C_out * K * K))), BatchNorm weight 1 and bias 0, Linear weight
// N(0, 0.01) and bias 0. Deterministic for a given seed.
void init_weights(Module& model, uint64_t seed);

}  // namespace sl
