// nn/models/shufflenet_v2.cpp - ShuffleNet V2 (Ma et al. 2018), Fig. 3 (c) the basic unit
// and (d) the unit for spatial down-sampling, laid out exactly like torchvision's
// ShuffleNetV2 so that state_dict keys match (docs/models.md). The CIFAR variant
// keeps the stem at stride 1 and drops the max-pool. Not here: V1 (shufflenet_v1.cpp).
#include "nn/layers.h"
#include "nn/models/models.h"

namespace sl {

namespace {

// conv (1x1 or depthwise 3x3) followed by BatchNorm, and optionally ReLU, into `seq`
// (Sequential runs a BatchNorm2d followed by a ReLU as one fused batch_norm_relu).
void conv_bn(Sequential& seq, int64_t c_in, int64_t c_out, int64_t k, const Conv2dParams& p,
             bool relu) {
  seq.add(std::make_unique<Conv2d>(c_in, c_out, k, p));
  seq.add(std::make_unique<BatchNorm2d>(c_out));
  if (relu) seq.add(std::make_unique<ReLU>());
}

// Fig. 3 (c) and (d). b = c_out / 2 channels per branch.
class InvertedResidual : public Module {
 public:
  InvertedResidual(int64_t c_in, int64_t c_out, int64_t stride) : stride_(stride) {
    const int64_t b = c_out / 2;
    if (stride > 1) {
      // (d) left branch: 3x3 DWConv (stride 2) BN, 1x1 Conv BN ReLU
      branch1_ = register_module("branch1", std::make_unique<Sequential>());
      conv_bn(*branch1_, c_in, c_in, 3, {.stride = stride, .padding = 1, .groups = c_in}, false);
      conv_bn(*branch1_, c_in, b, 1, {}, true);
    }
    // right branch: 1x1 Conv BN ReLU, 3x3 DWConv (stride) BN, 1x1 Conv BN ReLU
    const int64_t c_branch_in = stride > 1 ? c_in : b;
    branch2_ = register_module("branch2", std::make_unique<Sequential>());
    conv_bn(*branch2_, c_branch_in, b, 1, {}, true);
    conv_bn(*branch2_, b, b, 3, {.stride = stride, .padding = 1, .groups = b}, false);
    conv_bn(*branch2_, b, b, 1, {}, true);
    // The steps without weights (not in the state_dict): layers, so that the cost model sees them.
    if (stride == 1) split_ = register_module("channel_split", std::make_unique<ChannelSplit>());
    concat_ = register_module("concat", std::make_unique<Concat>());
    shuffle_ = register_module("channel_shuffle", std::make_unique<ChannelShuffle>(2));
  }

  // x [N, C_in, H, W] -> [N, C_out, H / stride, W / stride]
  Tensor forward(const Tensor& x) override {
    // Concat then Channel Shuffle (two groups = the two branches) run as one copy that writes
    // each branch straight into its shuffled channels (cat_shuffle); the next unit's split
    // is then two views of that output.
    if (stride_ == 1) {
      // (c) Channel Split; the left half passes through untouched, then Concat
      auto [x1, x2] = (*split_)(x);
      return concat_->shuffled(x1, (*branch2_)(x2), *shuffle_);
    }
    // (d) no split: both branches see all of x and halve the resolution, then Concat
    const Tensor left = (*branch1_)(x);  // first: the cost rows keep the paper's order
    return concat_->shuffled(left, (*branch2_)(x), *shuffle_);
  }
  std::string type() const override { return "InvertedResidual"; }

 private:
  int64_t stride_;
  Sequential* branch1_ = nullptr;
  Sequential* branch2_ = nullptr;
  ChannelSplit* split_ = nullptr;
  Concat* concat_ = nullptr;
  ChannelShuffle* shuffle_ = nullptr;
};

class ShuffleNetV2 : public Module {
 public:
  explicit ShuffleNetV2(const ModelConfig& c) {
    const std::vector<int64_t> ch = stage_channels(c.width);  // stem, stage2..4, conv5
    // Stem: 3x3 conv (stride 2 for ImageNet, 1 for CIFAR) BN ReLU, then 3x3 max-pool.
    conv1_ = register_module("conv1", std::make_unique<Sequential>());
    conv_bn(*conv1_, 3, ch[0], 3, {.stride = c.imagenet ? 2 : 1, .padding = 1}, true);
    if (c.imagenet)
      maxpool_ = register_module("maxpool", std::make_unique<MaxPool2d>(Pool2dParams{3, 2, 1}));
    // Stages 2-4: one down-sampling unit (d), then repeats - 1 basic units (c).
    const int repeats[3] = {4, 8, 4};
    int64_t c_in = ch[0];
    for (int s = 0; s < 3; ++s) {
      auto* stage =
          register_module("stage" + std::to_string(s + 2), std::make_unique<Sequential>());
      stage->add(std::make_unique<InvertedResidual>(c_in, ch[s + 1], 2));
      for (int i = 1; i < repeats[s]; ++i)
        stage->add(std::make_unique<InvertedResidual>(ch[s + 1], ch[s + 1], 1));
      stages_.push_back(stage);
      c_in = ch[s + 1];
    }
    // Head: 1x1 conv5 BN ReLU, global average pool, fully connected.
    conv5_ = register_module("conv5", std::make_unique<Sequential>());
    conv_bn(*conv5_, c_in, ch[4], 1, {}, true);
    pool_ = register_module("global_avg_pool", std::make_unique<GlobalAvgPool>());
    fc_ = register_module("fc", std::make_unique<Linear>(ch[4], c.classes));
  }

  // x [N, 3, H, W] -> logits [N, classes]
  Tensor forward(const Tensor& x) override {
    Tensor h = (*conv1_)(x);
    if (maxpool_) h = (*maxpool_)(h);
    for (Sequential* stage : stages_) h = (*stage)(h);
    h = (*conv5_)(h);
    return (*fc_)((*pool_)(h));
  }
  std::string type() const override { return "ShuffleNetV2"; }

  static std::vector<int64_t> stage_channels(float width) {
    if (width == 0.5f) return {24, 48, 96, 192, 1024};
    if (width == 1.0f) return {24, 116, 232, 464, 1024};
    if (width == 1.5f) return {24, 176, 352, 704, 1024};
    if (width == 2.0f) return {24, 244, 488, 976, 2048};
    throw UsageError(str_cat("shufflenet_v2: width ", width, " is not one of 0.5, 1.0, 1.5, 2.0"));
  }

 private:
  Sequential* conv1_ = nullptr;
  MaxPool2d* maxpool_ = nullptr;
  std::vector<Sequential*> stages_;
  Sequential* conv5_ = nullptr;
  GlobalAvgPool* pool_ = nullptr;
  Linear* fc_ = nullptr;
};

}  // namespace

std::unique_ptr<Module> make_shufflenet_v2(const ModelConfig& c) {
  return std::make_unique<ShuffleNetV2>(c);
}

}  // namespace sl
