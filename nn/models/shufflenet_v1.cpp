// nn/models/shufflenet_v1.cpp - ShuffleNet V1 (Zhang et al. 2018), Fig. 2 (b) the unit with
// stride 1 and (c) the unit with stride 2, per docs/models.md: pointwise group conv,
// channel shuffle, 3x3 depthwise conv, pointwise group conv, then add (b) or concat with
// an average-pooled shortcut (c). No bias anywhere; BN after every conv. Not here: V2.
#include "nn/layers.h"
#include "nn/models/models.h"

namespace sl {

namespace {

// Channels of stages 2-4 at scale 1 (models.md's table), by groups.
std::vector<int64_t> v1_stage_channels(int groups, float scale) {
  int64_t base[3];
  switch (groups) {
    case 1: base[0] = 144; break;
    case 2: base[0] = 200; break;
    case 3: base[0] = 240; break;
    case 4: base[0] = 272; break;
    case 8: base[0] = 384; break;
    default:
      throw UsageError(str_cat("shufflenet_v1: groups ", groups, " is not one of 1, 2, 3, 4, 8"));
  }
  base[1] = 2 * base[0];
  base[2] = 4 * base[0];
  return {(int64_t)(base[0] * scale), (int64_t)(base[1] * scale), (int64_t)(base[2] * scale)};
}

// A configuration is valid when every grouped conv's C_in and C_out divide by its groups.
void check_groups(const std::string& layer, int64_t c_in, int64_t c_out, int64_t g) {
  SL_CHECK_USAGE(c_in > 0 && c_out > 0, layer, ": channels must be positive, got C_in = ", c_in,
                 ", C_out = ", c_out);
  SL_CHECK_USAGE(c_in % g == 0 && c_out % g == 0, layer, ": C_in = ", c_in, " and C_out = ", c_out,
                 " must both be divisible by groups ", g, " (try another scale or groups)");
}

// Fig. 2 (b) stride 1 and (c) stride 2, with bottleneck m = c_out / 4. The shuffle mixes
// the model's g groups in every unit when g > 1, also in the first unit of stage 2 whose
// gconv1 has groups 1 (as Megvii's official code does): gconv2 still has g groups.
class ShuffleUnit : public Module {
 public:
  ShuffleUnit(const std::string& where, int64_t c_in, int64_t c_out, int64_t stride, int64_t groups,
              bool first_groups_one)
      : stride_(stride) {
    const int64_t m = c_out / 4;
    const int64_t g1 = first_groups_one ? 1 : groups;
    const int64_t main_out =
        stride == 2 ? c_out - c_in : c_out;  // (c) leaves room for the shortcut
    check_groups(where + ".gconv1", c_in, m, g1);
    check_groups(where + ".gconv2", m, main_out, groups);
    gconv1_ =
        register_module("gconv1", std::make_unique<Conv2d>(c_in, m, 1, Conv2dParams{.groups = g1}));
    bn1_ = register_module("bn1", std::make_unique<BatchNorm2d>(m));
    if (groups > 1)
      shuffle_ = register_module("channel_shuffle", std::make_unique<ChannelShuffle>(groups));
    dwconv_ =
        register_module("dwconv",
                        std::make_unique<Conv2d>(
                            m, m, 3, Conv2dParams{.stride = stride, .padding = 1, .groups = m}));
    bn2_ = register_module("bn2", std::make_unique<BatchNorm2d>(m));
    gconv2_ = register_module("gconv2", std::make_unique<Conv2d>(m, main_out, 1,
                                                                 Conv2dParams{.groups = groups}));
    bn3_ = register_module("bn3", std::make_unique<BatchNorm2d>(main_out));
    // The steps without weights (not in the state_dict): layers, so that the cost model sees them.
    relu_ = register_module("relu", std::make_unique<ReLU>());  // called twice: "relu", "relu_1"
    if (stride == 1) {
      add_ = register_module("add", std::make_unique<Add>());
    } else {
      shortcut_ = register_module("avg_pool2d", std::make_unique<AvgPool2d>(Pool2dParams{3, 2, 1}));
      concat_ = register_module("concat", std::make_unique<Concat>());
    }
  }

  // x [N, C_in, H, W] -> [N, C_out, H / stride, W / stride]
  Tensor forward(const Tensor& x) override {
    // 1x1 GConv, BN ReLU, Channel Shuffle, 3x3 DWConv (stride), BN, 1x1 GConv, BN
    Tensor h = bn1_->forward_relu((*gconv1_)(x), *relu_);  // BN ReLU as one fused op
    if (shuffle_) h = (*shuffle_)(h);
    h = (*bn2_)((*dwconv_)(h));
    h = (*bn3_)((*gconv2_)(h));
    if (stride_ == 1) return (*relu_)((*add_)(x, h));   // (b) Add, ReLU
    return (*relu_)((*concat_)({(*shortcut_)(x), h}));  // (c) 3x3 AVG Pool, Concat, ReLU
  }
  std::string type() const override { return "ShuffleUnit"; }

 private:
  int64_t stride_;
  Conv2d *gconv1_, *dwconv_, *gconv2_;
  BatchNorm2d *bn1_, *bn2_, *bn3_;
  ChannelShuffle* shuffle_ = nullptr;  // null when the model's g = 1
  ReLU* relu_ = nullptr;
  Add* add_ = nullptr;             // (b)
  AvgPool2d* shortcut_ = nullptr;  // (c)
  Concat* concat_ = nullptr;       // (c)
};

class ShuffleNetV1 : public Module {
 public:
  explicit ShuffleNetV1(const ModelConfig& c) {
    const std::vector<int64_t> ch = v1_stage_channels(c.groups, c.width);
    // Stem: 3x3 conv, 24 channels (stride 2 for ImageNet, 1 for CIFAR) BN ReLU, max-pool.
    conv1_ = register_module("conv1", std::make_unique<Sequential>());
    conv1_->add(std::make_unique<Conv2d>(3, 24, 3,
                                         Conv2dParams{.stride = c.imagenet ? 2 : 1, .padding = 1}));
    conv1_->add(std::make_unique<BatchNorm2d>(24));
    conv1_->add(std::make_unique<ReLU>());
    if (c.imagenet)
      maxpool_ = register_module("maxpool", std::make_unique<MaxPool2d>(Pool2dParams{3, 2, 1}));
    // Stages 2-4: a stride-2 unit (c), then stride-1 units (b); stage 2's first 1x1 conv
    // has groups 1 because its input has only 24 channels (its unit still shuffles).
    const int repeats[3] = {4, 8, 4};
    int64_t c_in = 24;
    for (int s = 0; s < 3; ++s) {
      const std::string stage_name = "stage" + std::to_string(s + 2);
      auto* stage = register_module(stage_name, std::make_unique<Sequential>());
      for (int i = 0; i < repeats[s]; ++i) {
        const std::string where = stage_name + "." + std::to_string(i);
        stage->add(std::make_unique<ShuffleUnit>(where, i == 0 ? c_in : ch[s], ch[s],
                                                 i == 0 ? 2 : 1, c.groups, s == 0 && i == 0));
      }
      stages_.push_back(stage);
      c_in = ch[s];
    }
    // Head: global average pool, fully connected.
    pool_ = register_module("global_avg_pool", std::make_unique<GlobalAvgPool>());
    fc_ = register_module("fc", std::make_unique<Linear>(c_in, c.classes));
  }

  // x [N, 3, H, W] -> logits [N, classes]
  Tensor forward(const Tensor& x) override {
    Tensor h = (*conv1_)(x);
    if (maxpool_) h = (*maxpool_)(h);
    for (Sequential* stage : stages_) h = (*stage)(h);
    return (*fc_)((*pool_)(h));
  }
  std::string type() const override { return "ShuffleNetV1"; }

 private:
  Sequential* conv1_ = nullptr;
  MaxPool2d* maxpool_ = nullptr;
  std::vector<Sequential*> stages_;
  GlobalAvgPool* pool_ = nullptr;
  Linear* fc_ = nullptr;
};

}  // namespace

std::unique_ptr<Module> make_shufflenet_v1(const ModelConfig& c) {
  return std::make_unique<ShuffleNetV1>(c);
}

}  // namespace sl
