// nn/infer.h - the inference plan: a ShuffleNet V1 or V2 Module compiled once, for one input
// shape, into a flat list of steps that call the CPU kernels on raw pointers, the way ONNX
// Runtime runs a model. Compiling folds every BatchNorm into the preceding convolution's
// weights and a bias, fuses ReLU (and V1's residual add) into the convolution's epilogue,
// writes each V2 branch straight into its shuffled channels (the concat + shuffle costs one
// copy of the pass-through half, V1's shuffle costs nothing), and plans the activations into
// a few arena buffers reused by liveness. `run` then does no autograd bookkeeping and no heap
// allocation. Not here: training (it is a snapshot of the weights), CUDA, other models
// (compiling one says so). Also evaluate_with_plan, `shufflelab eval`'s CPU path.
// docs/inference.md walks through it.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/cifar10.h"
#include "nn/module.h"

namespace sl {

class InferencePlan {
 public:
  // x [N, C, H, W] contiguous floats (the compiled shape) -> logits [N, classes].
  // No heap allocation after the first call with a given thread count.
  // One run at a time per plan (it owns the arena).
  void run(const float* x, float* logits);
  // The same on CPU tensors; allocates the result.
  Tensor run(const Tensor& x);

  const Shape& input_shape() const { return input_; }
  const Shape& output_shape() const { return output_; }
  int64_t steps() const { return (int64_t)steps_.size(); }
  int64_t syncs() const;  // barriers between steps per run
  int64_t arena_floats() const { return (int64_t)arena_.size(); }
  int64_t arena_buffers() const { return buffers_; }
  // One line per step: what it computes, from which layers, its items of work.
  std::string describe() const;

  // One unit of compiled work (public so nn/infer.cpp's helpers can build it; read-only).
  enum class Kind { pointwise, direct, pass_through, avg_pool, global_pool, linear };
  struct Tile {
    int64_t n, row0, rows, col0, cols;
    int64_t packed = -1;  // offset of its rows' packed weights (core/cpu/infer_kernels.h)
  };
  struct Step {
    Kind kind;
    std::string what;                 // the layers it came from, e.g. "stage2.1.branch2.0+1+2"
    int in = -1, out = -1, res = -1;  // value ids (kInput, kOutput or an arena value)
    int64_t in_c0 = 0;                // first channel read from `in` (V2's channel split)
    int64_t in_channels = 0, out_channels = 0;  // channels of the whole in / out values
    // conv row r goes to channel out_c0 + (r % out_block) * out_stride + r / out_block
    int64_t out_c0 = 0, out_block = 1, out_stride = 1;
    Conv2dShape conv{};      // pointwise, direct; the planes of the others (N, C_in, H, W, C_out)
    Pool2dShape pool{};      // avg_pool
    int64_t w = -1, b = -1;  // offsets into the folded weights
    bool relu = false;
    bool sync_after = true;   // a barrier after this step (false: the next one is independent)
    int64_t items = 0;        // units of work the threads share
    std::vector<Tile> tiles;  // pointwise: one pointwise_bias_act call per tile
  };
  static constexpr int kInput = -1, kOutput = -2;

 private:
  friend struct InferenceBuilder;  // nn/infer.cpp: fills everything below
  void run_item(const Step& st, int64_t item, const float* x, float* logits);
  const float* ptr(int value, const float* x) const;
  float* mut(int value, float* logits);

  Shape input_, output_;
  std::vector<Step> steps_;
  std::vector<float> weights_;      // folded conv weights and biases, fc weight and bias
  std::vector<int64_t> value_off_;  // arena offset of each value
  std::vector<float> arena_;        // activations, planned once
  int64_t buffers_ = 0;
};

// Compiles `model` (a ShuffleNet V1 or V2 from nn/models, any width, groups or class count,
// the CIFAR variant, on the CPU) for inputs of exactly `input` = {N, 3, H, W}. Reads the
// weights and BatchNorm running statistics as they are now (eval-mode semantics, whatever
// model.is_training() says). Throws sl::Error naming the layer it cannot plan.
InferencePlan compile_for_inference(Module& model, const Shape& input);

// Test accuracy of `model` (on the CPU) on `data` in order, in batches of `batch`, through
// inference plans compiled from it: what `shufflelab eval` runs on the CPU. The same walk,
// arg-max and logits layout as evaluate() (nn/train.h), which runs the model's own forward;
// logits agree with it to float rounding (docs/inference.md). The last, smaller batch gets
// a plan of its own.
double evaluate_with_plan(Module& model, const Cifar10& data, int64_t batch = 500,
                          std::vector<float>* logits = nullptr);

}  // namespace sl
