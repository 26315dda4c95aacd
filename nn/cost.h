// nn/cost.h - what a layer costs, per docs/models.md: parameters, multiply-adds ("MAdds",
// what the papers call FLOPs) and memory access cost ("MAC", elements read + written), per
// layer, per ShuffleNet unit ("block"), per stage and in total. The numbers come from the
// real model: while a CostRecording is active on this thread, every leaf Module call
// (nn/module.h) records one LayerCost, computed by the *_cost functions below from the
// shape structs the ops build. Op bodies hold no cost code. Not here: printing
// (apps/cmd_profile.cpp) or drawing (viz/).
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
  std::string name;  // module path, e.g. "stage2.0.branch2.3" or "stage2.1.concat"
  std::string type;  // the op: "conv2d", "batch_norm", "relu", "add", "max_pool2d", ...
  std::string kind;  // short label: "1x1 g=3", "3x3 dw s2", "bn", "concat", "maxpool 3x3 s2", ...
  std::string category;  // "conv 1x1", "grouped 1x1", "depthwise", "conv kxk", "batchnorm", "relu",
                         // "element-wise", "data movement", "pool" or "linear"
  Shape out_shape;
  int64_t params = 0;  // trainable parameters this layer uses
  int64_t madds = 0;   // multiply-adds; conv2d and linear only, as the papers count
  int64_t mac = 0;     // elements read + written (0 for views)
  double time_ms = 0;  // when timing: median over the timed repeats, device synced at both ends
  double time_min_ms = 0, time_max_ms = 0;  // the spread: min and max over the timed repeats
  // "" or the kind of the row just before ("bn", "concat") whose kernel did this layer's work:
  // a ReLU fused into the BatchNorm before it (batch_norm_relu), a channel shuffle fused into
  // the concat before it (cat_shuffle). The pair's time is on that row; this row's time is
  // only its empty call. Params, MAdds and MAC stay the per-op counts of the papers.
  std::string fused_into;
};

// [SECTION] layer costs from the shape structs the ops build: type, kind, category,
// out_shape, params, madds and mac filled in (the name is given by the recorder).
LayerCost conv2d_cost(const Conv2dShape& s);
LayerCost batch_norm_cost(const Shape& x);          // params 2C (gamma, beta), MAC 2 numel
LayerCost relu_cost(const Shape& x);                // MAC 2 numel
LayerCost add_cost(const Shape& out);               // a + b -> out, MAC 3 numel
LayerCost concat_cost(const Shape& out);            // reads every input once, MAC 2 numel
LayerCost channel_split_cost(const Shape& second);  // views, MAC 0; out_shape the 2nd part
LayerCost channel_shuffle_cost(const Shape& x);     // MAC 2 numel
LayerCost pool2d_cost(const char* type, const Pool2dShape& s);  // "max_pool2d" | "avg_pool2d"
LayerCost global_avg_pool_cost(const Shape& x);                 // [N, C, H, W] -> [N, C]
LayerCost linear_cost(int64_t n, int64_t in, int64_t out, bool bias);

// [SECTION] the recorder
// RAII: while alive, leaf module calls on this thread append to layers(). Nesting is refused.
class CostRecording {
 public:
  explicit CostRecording(bool time_layers = false);
  ~CostRecording();
  CostRecording(const CostRecording&) = delete;
  CostRecording& operator=(const CostRecording&) = delete;
  const std::vector<LayerCost>& layers() const { return layers_; }

 private:
  friend class CostScope;
  struct Frame {
    std::string path;
    bool leaf;  // a module without children: its record takes the module's path
  };
  std::string next_name(const std::string& type);
  std::vector<LayerCost> layers_;
  std::vector<Frame> frames_;
  bool time_layers_;
};

// One frame per module call (Module::call opens it), so that records get the module path.
// A leaf frame, when timing, synchronizes the device and starts the clock; record() then
// synchronizes again and reads it, so the time is device time, not launch time.
class CostScope {
 public:
  CostScope(const std::string& name, bool leaf, Device device);
  ~CostScope();
  CostScope(const CostScope&) = delete;
  CostScope& operator=(const CostScope&) = delete;
  bool recording() const { return rec_ != nullptr; }
  void record(LayerCost c);

 private:
  CostRecording* rec_;
  Device device_;
  std::chrono::steady_clock::time_point t0_;
};

// [SECTION] profiles: layers grouped into blocks (one ShuffleNet unit, or the stem, the
// head) and stages; a layer "stage3.2.branch2.0" is in block "stage3.2" and stage "stage3",
// a layer "conv1.0" in block and stage "conv1".
struct BlockCost {
  std::string name;
  int64_t params = 0, madds = 0, mac = 0;
  double time_ms = 0;  // sum of its layers' medians, so that blocks add up to the total
  double time_min_ms = 0,
         time_max_ms = 0;               // min and max over the repeats of its layers' summed time
  int first_layer = 0, num_layers = 0;  // a range of Profile::layers
};
struct Profile {
  std::string model, variant;
  Shape input;  // [batch, 3, H, W]
  std::vector<LayerCost> layers;
  std::vector<BlockCost> blocks, stages;
  int64_t params = 0, madds = 0, mac = 0;
  double time_ms = 0;  // sum of the layers' medians
  double time_min_ms = 0,
         time_max_ms = 0;  // min and max over the repeats of all layers' summed time
  bool timed = false;
};
struct ProfileOptions {
  bool time = false;  // time every layer: median over `repeats` forward passes
  int repeats = 7;
  int64_t input_size = 0;  // 0: input_size(variant)
  int64_t batch = 1;       // input [batch, 3, H, W]; MAdds and MAC scale with it
};
// The input side a variant is profiled and trained at: 32 for "cifar", 224 for "imagenet";
// anything else is a UsageError.
int64_t input_size(const std::string& variant);
std::string block_of(const std::string& layer_name);
std::string stage_of(const std::string& layer_name);
// Forward passes of a [batch, 3, H, W] input in eval mode under NoGradGuard (the model's
// train/eval mode is restored afterwards). The input lives on the model's device.
Profile profile(Module& model, const std::string& model_name, const std::string& variant,
                const ProfileOptions& opt = {});

// [SECTION] by category: the V2 paper's Fig. 2 (time by kind of op) for one profile
// The layers of p summed per LayerCost::category, in the order of kCategories (convs first,
// then the ops with 0 MAdds that the FLOPs count ignores); a category missing from p is left
// out, one not in kCategories comes last. The CLI and the Blocks panel both print this.
struct CategoryCost {
  std::string category;
  int layers = 0;
  int64_t madds = 0, mac = 0;
  double time_ms = 0;  // sum of the layers' median times
};
extern const char* const kCategories[10];
std::vector<CategoryCost> by_category(const Profile& p);

}  // namespace sl
