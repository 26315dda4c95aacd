// nn/cost.h - what a layer costs, per docs/models.md: parameters, multiply-adds
// ("MAdds", what the papers call FLOPs) and memory access cost ("MAC", elements read +
// written), per layer, per ShuffleNet unit ("block"), per stage and in total. The numbers
// come from the real model: while a CostRecording is active on this thread, every layer op
// (conv2d, batch_norm, pools, linear, relu/add layers, split, concat, shuffle) pushes one
// LayerCost. Not here: printing (apps/cmd_profile.cpp) or drawing (viz/).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace sl {

class Module;

// [SECTION] formulas (one image or a batch of N; weights are read once per call)
// conv: N*H_out*W_out*C_out * (C_in/G)*K*K multiply-adds.
int64_t conv2d_madds(const Conv2dShape& s);
// conv: N*(H*W*C_in + H_out*W_out*C_out) + K*K*C_in*C_out/G elements, the V2 paper's
// 1x1 formula hw(c1 + c2) + c1*c2/g extended to K x K kernels.
int64_t conv2d_mac(const Conv2dShape& s);
// linear x [N, I] -> [N, O]: N*I*O multiply-adds; MAC N*I + N*O + I*O (+ O for the bias).
int64_t linear_madds(int64_t n, int64_t in, int64_t out);
int64_t linear_mac(int64_t n, int64_t in, int64_t out, bool bias);
// Every other layer has 0 MAdds (the papers count conv and linear only) and MAC = inputs +
// outputs: batch_norm, relu, add, max/avg/global pools, concat, channel_shuffle (each reads
// and writes every element once); channel_split makes views, MAC 0. BatchNorm's per-channel
// parameters are not counted in its MAC, as the V2 paper counts element-wise ops.

// [SECTION] one layer's record
struct LayerCost {
  std::string name;  // module path, e.g. "stage2.0.branch2.3", or path + "." + op
  std::string type;  // "conv2d", "batch_norm", "relu", "add", "max_pool2d", ...
  Shape out_shape;
  int64_t params = 0;  // trainable parameters this layer uses
  int64_t madds = 0;   // multiply-adds; conv2d and linear only, as the papers count
  int64_t mac = 0;     // elements read + written (0 for views)
  double time_ms = 0;  // wall time of the op call, when timing
};
struct CostCounts {
  int64_t params = 0, madds = 0, mac = 0;
};

// [SECTION] the recorder
// RAII: while alive, layer ops on this thread append to layers(). Nesting is refused.
class CostRecording {
 public:
  explicit CostRecording(bool time_layers = false);
  ~CostRecording();
  CostRecording(const CostRecording&) = delete;
  CostRecording& operator=(const CostRecording&) = delete;
  const std::vector<LayerCost>& layers() const { return layers_; }

 private:
  friend class CostProbe;
  friend class CostScope;
  struct Frame {
    std::string path;
    bool leaf;      // a module without children: its one op takes the module's name
    int records;    // ops recorded directly inside this frame
  };
  std::string next_name(const char* type);
  std::vector<LayerCost> layers_;
  std::vector<Frame> frames_;
  bool time_layers_;
};

// Inside a layer op: construct first (starts the clock when timing), call record() last.
class CostProbe {
 public:
  CostProbe();
  void record(const char* type, const Shape& out_shape, const CostCounts& c);

 private:
  CostRecording* rec_;
  std::chrono::steady_clock::time_point t0_;
};

// Module::operator() opens one frame per module call so that records get the module path.
class CostScope {
 public:
  CostScope(const std::string& name, bool leaf);
  ~CostScope();

 private:
  CostRecording* rec_;
};

// [SECTION] profiles: layers grouped into blocks (one ShuffleNet unit, or the stem, the
// head) and stages; a layer "stage3.2.branch2.0" is in block "stage3.2" and stage "stage3",
// a layer "conv1.0" in block and stage "conv1".
struct BlockCost {
  std::string name;
  int64_t params = 0, madds = 0, mac = 0;
  double time_ms = 0;
  int first_layer = 0, num_layers = 0;  // a range of Profile::layers
};
struct Profile {
  std::string model, variant;
  Shape input;  // [1, 3, H, W]
  std::vector<LayerCost> layers;
  std::vector<BlockCost> blocks, stages;
  int64_t params = 0, madds = 0, mac = 0;
  double time_ms = 0;
  bool timed = false;
};
struct ProfileOptions {
  bool time = false;   // time every layer: median over `repeats` forward passes
  int repeats = 7;
  int64_t input_size = 0;  // 0: 32 for cifar, 224 for imagenet
};
std::string block_of(const std::string& layer_name);
std::string stage_of(const std::string& layer_name);
// One forward pass of a [1, 3, H, W] input in eval mode under NoGradGuard (the model's
// train/eval mode is restored afterwards). The input lives on the model's device.
Profile profile(Module& model, const std::string& model_name, const std::string& variant,
                const ProfileOptions& opt = {});

}  // namespace sl
