// viz/shuffle_state.h - the Shuffle panel's model without any ImGui: the trace of the
// four core ops (nn/shuffle_trace.h, the one `shufflelab shuffle` prints), where each
// channel sits at each step, the read path of the transposed view, the paper's Fig. 1
// connectivity, and the animation timeline. panel_shuffle*.cpp draw from this;
// tests/viz/test_viz_state.cpp checks that what they draw is what the tensors hold.
//
//   step 0  x    [N, C, H, W]          channel c holds the value c
//   step 1  view [N, G, C/G, H, W]     same storage, seen as a G x C/G grid
//   step 2  transpose(1, 2)            [N, C/G, G, H, W]: strides swap, no data moves
//   (view without contiguous() fails here: an optional stop on the timeline)
//   step 3  contiguous()               a new buffer in the transposed order: data moves
//   step 4  view [N, -1, H, W]         the shuffled channel order
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/shuffle_trace.h"

namespace sl::viz {

constexpr int kShuffleSteps = kShuffleTraceSteps;
constexpr int kMaxChannels = 64, kMaxBatch = 2, kMaxSide = 4;

// The panel's settings; the defaults are the article's example (sl::ShuffleExample).
struct ShuffleConfig {
  int C = int(ShuffleExample{}.C);  // channels, 2..64
  int g = int(ShuffleExample{}.G);  // groups G, a divisor of C
  int N = int(ShuffleExample{}.N);  // batch, 1..2
  int H = int(ShuffleExample{}.H);  // height, 1..4
  int W = int(ShuffleExample{}.W);  // width, 1..4
  bool operator==(const ShuffleConfig&) const = default;
};
ShuffleConfig article_example();  // N = 2, C = 4, G = 2, H = W = 2
// Throws sl::UsageError naming the first setting outside the panel's ranges.
void check_config(const ShuffleConfig& cfg);

struct ShuffleStep {
  std::string op;           // "input", "view", "transpose", "contiguous", "view"
  std::string code;         // the C++ line that makes this step, in symbols
  std::string code_values;  // the same call with this configuration's numbers
  Tensor tensor;            // the real tensor
  Shape shape, strides;
  int64_t offset = 0;
  bool contiguous = true;
  bool shares_input_storage = true;  // reads the same buffer as step 0
  int64_t copies = 0, bytes = 0;     // sl::copy_stats() difference around the op (the trace's)
  std::vector<float> storage;        // the whole buffer the step reads, memory order
  std::vector<float> values;         // to_vector(): logical row-major order
  int grid_rows = 1, grid_cols = 1;  // the channel axes of one sample, as drawn
};

struct ShuffleModel {
  ShuffleConfig cfg;
  int64_t HW = 1;
  std::vector<ShuffleStep> steps;  // kShuffleSteps of them
  std::vector<int> order;          // order[j]: input channel that lands at output channel j
  std::vector<int> inverse;        // channel order of shuffle(shuffle(x, G), C/G): the identity
  bool matches_core_op = false;    // step 4 equals sl::channel_shuffle(x, G) element for element
  // Step 2's read path: read_path[i] = offset in x's buffer of element i of the transposed
  // view (from its strides); read_runs[k] = the channel run (offset / H*W) read k-th.
  std::vector<int64_t> read_path;
  std::vector<int> read_runs;
  std::string view_error;  // what view says without contiguous(), the library's own text
};

// Throws sl::UsageError when C, G, N, H or W are out of range or G does not divide C.
ShuffleModel build_shuffle_model(const ShuffleConfig& cfg);
// The steps as a table (step, op, code, shape, strides, contiguous, bytes copied), for the
// panel's "copy as Markdown / CSV" buttons: a header line, then one line per step.
std::string steps_table(const ShuffleModel& m, bool markdown);
std::string tuple_str(const Shape& s);  // "(1, 4, 3, 2, 2)"
std::vector<int> divisors(int C);       // ascending
int closest_divisor(int C, int g);      // the divisor of C nearest g (ties: the smaller)

// [SECTION] where input channel c sits at each step; the panel draws with these
// Formulas only, never the tensors, so that the test can compare the two.
struct GridCell {
  int row = 0, col = 0;
};
int group_of(const ShuffleConfig& cfg, int c);                     // c / (C/G)
GridCell channel_cell(const ShuffleConfig& cfg, int step, int c);  // in the step's grid
int channel_slot(const ShuffleConfig& cfg, int step, int c);  // channel run in the step's buffer
std::vector<int> drawn_order(const ShuffleConfig& cfg,
                             int step);  // grid cells row-major -> channel
// Index into ShuffleStep::values of element hw of the grid cell of sample n.
int64_t logical_index(const ShuffleModel& m, int step, int n, GridCell cell, int64_t hw);

// [SECTION] ShuffleNet V1 Fig. 1: GConv(G) -> [shuffle] -> GConv(G)
// reach[o] lists the input groups that output channel o of the second GConv depends on.
// Without shuffle it is one group; with it, min(G, C/G) groups.
std::vector<std::vector<int>> fig1_reach(const ShuffleConfig& cfg, const std::vector<int>& order,
                                         bool shuffle);

// [SECTION] the animation clock
// t runs over the stops of the timeline, 0..stops-1; between two stops the panel
// interpolates with ease(t - k). The stops are the five steps, plus, when the failing
// view is shown, one more between steps 2 and 3 (kFailStop).
constexpr int kFailStop = 3;
struct ShuffleClock {
  float t = 0.f;
  float target = 0.f;  // where stepping moves t (t glides there)
  bool playing = false;
  float speed = 1.f;  // stops per second
  float rest = 0.f;   // seconds left resting on a stop while playing
  int stops = kShuffleSteps;

  void update(float dt);
  void toggle_play();
  void step(int delta);  // +1 / -1: next or previous step, forward or backward
  void go_to(int s);
  void scrub(float s);  // the scrub bar: jump, pause
  int nearest() const;  // the stop whose facts the panel shows
};
// The timeline with or without the failing-view stop: stop time <-> step time.
// Step time runs 0..4 over the five tensors; at the failing view it rests at 2 (t).
float step_time(float stop_t, bool fail_stop);
float stop_time(float step_t, bool fail_stop);
int step_of_stop(int stop, bool fail_stop);
float ease(float f);  // smoothstep on [0, 1]
struct StepBlend {
  int from = 0, to = 1;
  float f = 0.f;  // eased
};
StepBlend blend_at(float t);

// Everything the Shuffle panel keeps between frames.
struct ShuffleState {
  ShuffleConfig cfg;
  ShuffleModel model;
  ShuffleClock clock;
  int selected = -1;      // input channel followed through the steps, -1: none
  int selected_n = 0;     // its sample
  bool fail_stop = true;  // show the view that fails without contiguous(), between 2 and 3
  ShuffleState();
  void configure(const ShuffleConfig& next);  // rebuilds the model; keeps a valid selection
  void show_fail_stop(bool on);               // adds or removes the stop, keeping the step
  float step_t() const { return step_time(clock.t, fail_stop); }  // 0..4
  int step_now() const { return step_of_stop(clock.nearest(), fail_stop); }
  bool at_fail() const { return fail_stop && clock.nearest() == kFailStop; }
};

}  // namespace sl::viz
