// nn/guidelines.h - ShuffleNet V2's four guideline experiments (Ma et al., ECCV 2018,
// section 2, Tables 1-4) re-run with ShuffleLab's own ops on this machine, beside the
// paper's numbers, plus the zero-copy shuffle measurement. One library for the
// `shufflelab guidelines` command and the app's Guidelines panel. FLOPs and MAC come from
// nn/cost (its *_cost functions of every op's shapes, or conv2d_madds / conv2d_mac).
// Not here: printing (apps/cmd_guidelines.cpp) or drawing (viz/guidelines/).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/conv2d.h"
#include "nn/cost.h"

namespace sl {

// [SECTION] the experiments and their configurations
enum class Guideline { g1, g2, g3, g4 };
constexpr int kGuidelineCount = 4;
const char* guideline_name(Guideline g);   // "G1"
const char* guideline_title(Guideline g);  // "equal channel width minimises MAC"
bool guideline_from_name(const std::string& name, Guideline* out);  // "G1" or "g1"

// One row of a table at one width. Every experiment stacks its block 10 times on an
// hw x hw input (56 x 56 in the paper) of `batch` images.
struct GuidelineConfig {
  Guideline guideline = Guideline::g1;
  std::string label;      // "1:2", "g=4", "2-fragment-series", "ReLU yes, shortcut no"
  std::string width;      // the column: "x1", "x2", "x4" (G1, G2) or "c=64" (G3, G4)
  int64_t c1 = 0;         // G1: input width; G2, G3, G4: the block's width c
  int64_t c2 = 0;         // G1: the middle width (block = 1x1 c1->c2, then 1x1 c2->c1)
  int64_t groups = 1;     // G2: 1x1 group convolution with this many groups
  int fragments = 1;      // G3: 1, 2 or 4 convolutions ...
  bool parallel = false;  // G3: ... in series (false) or side by side, then concatenated
  bool relu = true, shortcut = true;  // G4: the ResNet bottleneck's element-wise ops
  int64_t hw = 56, batch = 1, blocks = 10;
};

// G3 in series: n convolutions c' -> c' with n*c'^2 = c^2, so c' = round(c / sqrt(n)).
int64_t g3_series_width(const GuidelineConfig& c);

// The paper's numbers for one row: speed per width column (x1, x2, x4 or three c's).
// GPU: GTX 1080Ti, batches/s; ARM: Snapdragon 810 one thread, images/s.
struct PaperRow {
  const char* label;
  int64_t gpu_c1, gpu_c2, arm_c1, arm_c2;  // channels at the first column (G1: c1, c2; else c)
  double gpu[3], arm[3];
};
struct PaperTable {
  Guideline guideline;
  const char* columns_gpu[3];
  const char* columns_arm[3];
  std::vector<PaperRow> rows;
};
const PaperTable& paper_table(Guideline g);  // typed in from the paper's Tables 1-4

// The configurations measured on `device` at width column `col` (0..2): the paper's ARM
// channel counts on the CPU, its GPU counts on CUDA.
std::vector<GuidelineConfig> guideline_configs(Guideline g, Device device, int col, int64_t batch);

// [SECTION] cost without running (for the panel's sliders); each equals what nn/cost records
// One 1x1 convolution c1 -> c2 on hw x hw (hw = the side; N = 1): the paper's formulas.
struct G1Point {
  double ratio;            // c2 / c1
  int64_t c1, c2;          // rounded channels for B at this ratio
  int64_t madds;           // B = h*w*c1*c2 (conv2d_madds)
  int64_t mac;             // h*w*(c1 + c2) + c1*c2 (conv2d_mac)
  double mac_lower_bound;  // 2*sqrt(h*w*B) + B/(h*w), by AM-GM, equality at c1 = c2
};
// c1 = sqrt(B / (h*w*ratio)), c2 = ratio * c1, both rounded to at least 1.
G1Point g1_point(double ratio, int64_t hw, int64_t madds_budget);
double g1_mac_lower_bound(int64_t hw, double madds);  // 2*sqrt(h*w*B) + B/(h*w)

struct G2Point {
  int64_t groups, c;   // c chosen so that h*w*c*c/g stays near the g = 1 budget
  int64_t madds, mac;  // conv2d_madds, conv2d_mac: h*w*c*c/g and h*w*2c + c*c/g
};
// c = sqrt(g * B / (h*w)), rounded to a multiple of g.
G2Point g2_point(int64_t groups, int64_t hw, int64_t madds_budget);

// [SECTION] running
struct GuidelineRow {
  GuidelineConfig config;
  int64_t madds = 0, mac = 0;    // per forward pass of the 10-block stack, from nn/cost
  int64_t elementwise_mac = 0;   // MAC of relu, add, concat layers (G3, G4)
  int op_calls = 0;              // layer ops per forward pass (conv2d, relu, add, concat)
  double time_ms = 0;            // median forward time
  double per_s = 0;              // images/s = batch / median seconds
  double elementwise_share = 0;  // G4: time in relu + add over the whole pass (per-op timing)
  double measured_norm = 0;      // per_s / per_s of the first row of this width
  double paper_gpu = 0, paper_arm = 0, paper_gpu_norm = 0, paper_arm_norm = 0;
  std::string trend;  // "holds", "differs" or "" (first row: the reference)
};
struct GuidelineTable {
  Guideline guideline = Guideline::g1;
  std::vector<GuidelineRow> rows;  // configs x widths, grouped by width
};

// The zero-copy shuffle on a real V2 unit (Fig. 3c) followed by the next unit's 1x1
// convolution that reads the whole shuffled tensor (branch 2 of the down-sampling unit,
// Fig. 3d), stacked 10 times. Variants: the plain shuffle; (a) the permutation folded into
// the 1x1 weights; (b) the shuffle as a strided view read directly by per-group matmuls
// (no concat, no shuffle copy).
struct ZeroCopyRow {
  std::string variant;
  int64_t madds = 0, mac = 0;  // whole stack per pass
  int64_t shuffle_mac = 0;     // MAC spent on moving channels (shuffle; 0 once folded)
  int64_t concat_mac = 0;
  double time_ms = 0, saved_ms = 0, saved_pct = 0;  // vs the plain variant
  double max_abs_diff = 0;                          // vs the plain variant's output
};
struct ZeroCopyResult {
  Shape input;  // [N, C, H, W] of each unit
  int64_t groups = 2;
  std::vector<ZeroCopyRow> rows;
};

struct GuidelinesOptions {
  Device device = Device::cpu;
  int threads = 0;              // CPU threads for this run (0: leave as is)
  bool precise = false;         // all three width columns and more repeats
  int repeats = 0;              // timed passes per configuration; 0: 9 (quick) or 21 (precise)
  int64_t batch = 0;            // 0: 1 on the CPU, 8 on CUDA
  std::vector<Guideline> only;  // empty: all four (unless tables is false)
  bool tables = true;           // false with only empty: the zero-copy section alone
  bool zero_copy = true;
  // Called between measurements: fraction done in [0, 1] and what runs next.
  std::function<void(double, const std::string&)> progress;
  const std::atomic<bool>* cancel = nullptr;  // set it to stop at the next measurement
};
struct GuidelinesReport {
  std::string device;  // "cpu" or "cuda"
  int threads = 1;
  int64_t batch = 1;
  bool precise = false, cancelled = false;
  int warmup = 0, repeats = 0;
  std::vector<GuidelineTable> tables;
  ZeroCopyResult zero_copy;
  bool has_zero_copy = false;
};

// Runs everything asked for. Throws sl::Error when the device is unavailable.
GuidelinesReport run_guidelines(const GuidelinesOptions& opt);

// Configurations timed (median of `repeats` passes after `warmup`, the passes of all
// configurations interleaved) and costed; on_pass(k) after the k-th round of passes.
std::vector<GuidelineRow> measure_configs(const std::vector<GuidelineConfig>& cfgs, Device device,
                                          int warmup, int repeats,
                                          const std::atomic<bool>* cancel = nullptr,
                                          const std::function<void(int)>& on_pass = nullptr);
GuidelineRow measure_config(const GuidelineConfig& cfg, Device device, int warmup, int repeats,
                            const std::atomic<bool>* cancel = nullptr);
// Lets freed buffers stay in the heap (glibc mallopt) so timed passes do not pay page faults
// for fresh mmaps; process-wide, called by every timing function here.
void keep_freed_memory();
// Fills measured_norm, paper_* and trend for rows grouped by width (first row = 1).
void normalise_table(GuidelineTable& t, Device device);

// [SECTION] the ops the experiments call, each adding its nn/cost record to a tally
// The experiments call ops directly (no Modules), so instead of a CostRecording each op
// adds conv2d_cost / relu_cost / add_cost / concat_cost / channel_shuffle_cost of its
// shapes to an OpTally. A null tally costs nothing (the timed passes).
struct OpTally {
  int64_t madds = 0, mac = 0;
  int64_t elementwise_mac = 0;  // relu, add, concat
  int64_t shuffle_mac = 0, concat_mac = 0;
  int ops = 0;        // op calls
  bool time = false;  // time every op on its own (device synchronised around it)
  double elementwise_ms = 0, all_ms = 0;
  void add(const LayerCost& c, double ms);
};
Tensor tally_conv2d(OpTally* t, const Tensor& x, const Tensor& w, const Conv2dParams& p = {});
Tensor tally_relu(OpTally* t, const Tensor& x);
Tensor tally_add(OpTally* t, const Tensor& a, const Tensor& b);
Tensor tally_concat(OpTally* t, const std::vector<Tensor>& xs);     // along C
Tensor tally_shuffle(OpTally* t, const Tensor& x, int64_t groups);  // core's channel_shuffle
void sync_device(Device d);                                         // waits for launched kernels

// [SECTION] the zero-copy variants, exposed for tests
struct ZeroCopyUnit {
  int64_t C = 116, groups = 2;
  Tensor w1, w_dw, w2;                // branch 2: 1x1 C/2 -> C/2, 3x3 depthwise, 1x1 C/2 -> C/2
  Tensor w_next;                      // the next 1x1 convolution [C, C, 1, 1], on shuffled input
  Tensor w_next_folded;               // (a) w_next with columns permuted: reads unshuffled input
  std::vector<Tensor> w_next_blocks;  // (b) [C, C/G] per input block g, contiguous
};
ZeroCopyUnit make_zero_copy_unit(int64_t C, int64_t groups, Device device, uint64_t seed);
// x [N, C, H, W] -> [N, C, H, W]: unit then the next 1x1 convolution, three ways.
Tensor zero_copy_plain(const ZeroCopyUnit& u, const Tensor& x, OpTally* t = nullptr);
Tensor zero_copy_folded(const ZeroCopyUnit& u, const Tensor& x, OpTally* t = nullptr);
Tensor zero_copy_strided(const ZeroCopyUnit& u, const Tensor& x, OpTally* t = nullptr);
// out [N, C_out, H, W] = sum_g w_blocks[g] [C_out, C_b] @ blocks[g] [N, C_b, H, W]: a 1x1
// convolution over the channel concatenation of `blocks` in shuffled order, read in place.
// Its tally record: conv2d_cost of the whole 1x1 convolution, plus one read of out per
// accumulating block in the MAC.
Tensor conv1x1_over_blocks(const std::vector<Tensor>& blocks, const std::vector<Tensor>& w_blocks,
                           OpTally* t = nullptr);
ZeroCopyResult run_zero_copy(Device device, int64_t batch, int warmup, int repeats,
                             const std::atomic<bool>* cancel = nullptr,
                             const std::function<void(int)>& on_pass = nullptr);

}  // namespace sl
