// nn/layers.cpp - constructors (shapes and registration order = state_dict key order),
// one-line forwards over the ops, the fused pairs (BatchNorm2d + ReLU, Concat + ChannelShuffle:
// one op, one cost row each), each layer's cost() from the op's shape struct, and init_weights.
#include "nn/layers.h"

#include <cmath>

#include "nn/linear.h"

namespace sl {

Conv2d::Conv2d(int64_t c_in, int64_t c_out, int64_t kernel, const Conv2dParams& p) : params(p) {
  SL_CHECK(p.groups >= 1 && c_in % p.groups == 0 && c_out % p.groups == 0, "Conv2d: C_in = ", c_in,
           " and C_out = ", c_out, " must both be divisible by groups ", p.groups);
  weight = Tensor::zeros({c_out, c_in / p.groups, kernel, kernel});
  register_parameter("weight", &weight);
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, params); }

std::optional<LayerCost> Conv2d::cost(const std::vector<Shape>& in, const Shape&) const {
  return conv2d_cost(conv2d_shape(in[0], weight.shape(), params));
}

BatchNorm2d::BatchNorm2d(int64_t channels, float eps_, float momentum_)
    : eps(eps_), momentum(momentum_) {
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

Tensor BatchNorm2d::forward(const Tensor& x) { return normalize(x, false); }

Tensor BatchNorm2d::forward_relu(const Tensor& x, ReLU& relu) {
  const Tensor y = call({x}, [&] { return normalize(x, true); });
  return relu.fused(y, "bn");
}

bool BatchNorm2d::fuses_with(const Module& next) const {
  return dynamic_cast<const ReLU*>(&next) != nullptr;
}

Tensor BatchNorm2d::call_fused(const Tensor& x, Module& next) {
  return forward_relu(x, dynamic_cast<ReLU&>(next));
}

// batch_norm(x), or batch_norm_relu(x) when relu: the same statistics and running averages.
Tensor BatchNorm2d::normalize(const Tensor& x, bool relu) {
  const bool training = is_training();
  const BatchNormParams p{.training = training, .momentum = momentum, .eps = eps};
  Tensor out = relu ? batch_norm_relu(x, weight, bias, running_mean, running_var, p)
                    : batch_norm(x, weight, bias, running_mean, running_var, p);
  if (training) {
    NoGradGuard no_grad;
    copy_into(num_batches_tracked, num_batches_tracked + 1.f);
  }
  return out;
}

std::optional<LayerCost> BatchNorm2d::cost(const std::vector<Shape>& in, const Shape&) const {
  return batch_norm_cost(in[0]);
}

Linear::Linear(int64_t in, int64_t out, bool has_bias) {
  weight = Tensor::zeros({out, in});
  register_parameter("weight", &weight);
  if (has_bias) {
    bias = Tensor::zeros({out});
    register_parameter("bias", &bias);
  }
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

std::optional<LayerCost> Linear::cost(const std::vector<Shape>& in, const Shape&) const {
  return linear_cost(in[0][0], weight.size(1), weight.size(0),
                     bias.defined());  // x [N, I], w [O, I]
}

// [SECTION] parameter-free layers

Tensor ReLU::forward(const Tensor& x) {
  fused_into_ = "";
  return relu(x);
}

Tensor ReLU::fused(const Tensor& y, const char* into) {
  return call({y}, [&] {
    fused_into_ = into;
    return y;
  });
}

std::optional<LayerCost> ReLU::cost(const std::vector<Shape>& in, const Shape&) const {
  LayerCost c = relu_cost(in[0]);
  c.fused_into = fused_into_;
  return c;
}

Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, params); }

std::optional<LayerCost> MaxPool2d::cost(const std::vector<Shape>& in, const Shape&) const {
  return pool2d_cost("max_pool2d", pool2d_shape("max_pool2d", in[0], params));
}

Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, params); }

std::optional<LayerCost> AvgPool2d::cost(const std::vector<Shape>& in, const Shape&) const {
  return pool2d_cost("avg_pool2d", pool2d_shape("avg_pool2d", in[0], params));
}

Tensor GlobalAvgPool::forward(const Tensor& x) { return global_avg_pool(x); }

std::optional<LayerCost> GlobalAvgPool::cost(const std::vector<Shape>& in, const Shape&) const {
  return global_avg_pool_cost(in[0]);
}

Tensor ChannelShuffle::forward(const Tensor& x) {
  fused_ = false;
  return channel_shuffle(x, groups);
}

Tensor ChannelShuffle::fused(const Tensor& y) {
  return call({y}, [&] {
    fused_ = true;
    return y;
  });
}

std::optional<LayerCost> ChannelShuffle::cost(const std::vector<Shape>& in, const Shape&) const {
  LayerCost c = channel_shuffle_cost(in[0]);
  if (fused_) c.fused_into = "concat";
  return c;
}

std::array<Tensor, 2> ChannelSplit::operator()(const Tensor& x) {
  SL_CHECK(x.dim() == 4 && x.size(1) % 2 == 0,
           "ChannelSplit: x must be [N, C, H, W] with C even, it is ", shape_str(x.shape()));
  std::vector<Tensor> halves;
  call({x}, [&] {
    halves = x.chunk(2, 1);
    return halves[1];  // the shape the cost model records
  });
  return {halves[0], halves[1]};
}

std::optional<LayerCost> ChannelSplit::cost(const std::vector<Shape>&, const Shape& out) const {
  return channel_split_cost(out);
}

Tensor Concat::operator()(const std::vector<Tensor>& xs) {
  SL_CHECK(!xs.empty(), "Concat: no tensors");
  return call(xs, [&] { return cat(xs, 1); });
}

Tensor Concat::shuffled(const Tensor& a, const Tensor& b, ChannelShuffle& shuffle) {
  const Tensor y = call({a, b}, [&] { return cat_shuffle(a, b, shuffle.groups); });
  return shuffle.fused(y);
}

std::optional<LayerCost> Concat::cost(const std::vector<Shape>&, const Shape& out) const {
  return concat_cost(out);
}

Tensor Add::operator()(const Tensor& a, const Tensor& b) {
  SL_CHECK(a.shape() == b.shape(), "Add: a is ", shape_str(a.shape()), " but b is ",
           shape_str(b.shape()), " (the residual add does not broadcast)");
  return call({a, b}, [&] { return add(a, b); });
}

std::optional<LayerCost> Add::cost(const std::vector<Shape>&, const Shape& out) const {
  return add_cost(out);
}

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
