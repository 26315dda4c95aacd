// viz/blocks/blocks_state.h - the Blocks panel's model without any ImGui: which network
// to profile, the worker thread that runs nn/cost's profile() (a real timed forward pass)
// off the UI thread, and everything the panel draws from a Profile: the sortable table
// per layer, block or stage, the by-category summary, the unit graphs of the papers'
// figures, the seed article's FLOPs formulas and the two-model comparison. Not here:
// drawing (panel_blocks*.cpp); counting FLOPs or MAC (nn/cost does; the article's unit
// formulas are evaluated only to be shown beside nn/cost's count of the same unit).
// tests/viz/test_viz_state_blocks.cpp checks that what this shows is what nn/cost measured.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nn/cost.h"

namespace sl::viz {

// [SECTION] what to profile
struct BlocksConfig {
  int version = 2;                 // 1: ShuffleNet V1, 2: ShuffleNet V2
  int groups = 3;                  // V1: 1, 2, 3, 4 or 8
  float scale = 1.f;               // V1 scale, or V2 width (0.5, 1.0, 1.5, 2.0)
  bool imagenet = true;            // variant: imagenet (224x224) or cifar (32x32)
  int batch = 1;                   // images per forward pass, 1..64
  Device device = Device::cpu;     // backend (viz/ui.h's device_switch picks it)
  int threads = 0;                 // CPU threads; 0: all cores (the CPU backend only)
  std::string model_name() const;  // "v1-g3-1.0", "v2-1.0"
  std::string variant() const;     // "imagenet" or "cifar"
  std::string backend() const;     // "CPU, 16 threads" or "CUDA"
  bool operator==(const BlocksConfig&) const = default;
};
// "v1-g3-1.0" or "v2-0.5" into cfg's version, groups and scale. Throws sl::UsageError,
// with the names that exist, for anything else.
void set_model_name(BlocksConfig& cfg, const std::string& name);
int cpu_cores();  // what threads = 0 means

// One request to the worker: model a, and model b when comparing.
struct BlocksJob {
  BlocksConfig a, b;
  bool compare = false;
  int repeats = 7;  // timed forward passes after the warm-up; time is their median
  bool operator==(const BlocksJob&) const = default;
};
struct BlocksResult {
  uint64_t id = 0;  // the submit() id it answers
  BlocksJob job;
  Profile a, b;        // b only when job.compare
  Profile bottleneck;  // V1: v1-g1 at a's scale, whose stride-1 unit is Fig. 2 (a)
  bool has_bottleneck = false;
  std::string error;   // non-empty: nothing was profiled, this says why and what to do
  double seconds = 0;  // wall time of the whole job
};
// Builds the model(s), moves them to the backend and profiles them with timing (nn/cost's
// profile(): on CUDA the device is synchronised before and after every op, so a time is
// its kernels' time, not their launch's). Errors (an invalid configuration, CUDA
// unavailable: core's device_unavailable_reason, word for word) become result.error,
// never an exception.
BlocksResult run_blocks_job(const BlocksJob& job);

// One thread that runs jobs in order; a job submitted while another runs replaces any
// job still waiting (the latest settings win), so the UI never queues stale work.
class BlocksWorker {
 public:
  BlocksWorker() = default;
  ~BlocksWorker();  // finishes the running job, then joins
  BlocksWorker(const BlocksWorker&) = delete;
  BlocksWorker& operator=(const BlocksWorker&) = delete;
  uint64_t submit(const BlocksJob& job);  // returns the job's id; starts the thread on first use
  bool poll(BlocksResult* out);           // moves out a result newer than the last polled one
  bool busy() const;                      // a job is waiting or running
  bool wait_idle(double seconds);         // blocks until idle; false on timeout

 private:
  void loop();
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::thread thread_;
  bool stop_ = false, has_job_ = false, running_ = false, has_result_ = false;
  BlocksJob job_;
  uint64_t job_id_ = 0, next_id_ = 0;
  BlocksResult result_;
};

// [SECTION] the table: one row per layer, block or stage
enum class TableLevel { layers, blocks, stages };
enum class TableColumn {
  order,
  name,
  kind,
  shape,
  params,
  madds,
  mac,
  time,
  share_madds,
  share_mac,
  share_time
};
struct TableRow {
  std::string name, kind, category, shape;  // kind/category/shape: layers only
  int64_t params = 0, madds = 0, mac = 0;
  double time_ms = 0, time_min_ms = 0, time_max_ms = 0;
  double share_madds = 0, share_mac = 0, share_time = 0;  // of the whole network, 0..1
  int first_layer = 0, num_layers = 1;                    // the Profile::layers it covers
  int order = 0;                                          // position in the forward pass
  bool free_but_slow = false;  // 0 MAdds but measured time: what FLOPs miss
};
std::vector<TableRow> table_rows(const Profile& p, TableLevel level);
void sort_rows(std::vector<TableRow>& rows, TableColumn col, bool ascending);
// The rows (as shown) plus a total line, as CSV or a Markdown table.
std::string table_text(const Profile& p, const std::vector<TableRow>& rows, bool markdown);

// [SECTION] by category (nn/cost's LayerCost::category)
struct CategoryRow {
  std::string category;
  int layers = 0;
  int64_t madds = 0, mac = 0;
  double time_ms = 0;
  double share_madds = 0, share_mac = 0, share_time = 0;
  bool flops_blind = false;  // the category has 0 MAdds: FLOPs count it as free
};
struct CategorySummary {
  std::vector<CategoryRow> rows;  // nn/cost's by_category() order, empty ones left out
  double blind_time_ms = 0, blind_time_share = 0, blind_mac_share = 0;
  std::string line;  // the one-sentence finding
};
CategorySummary summarize_categories(const Profile& p, const std::string& backend);

// [SECTION] unit graphs: the papers' figures, one node per op of a real unit
enum class UnitFigure { v1_a, v1_b, v1_c, v2_c, v2_d };
const char* figure_caption(UnitFigure f);  // "ShuffleNet V1 Fig. 2 (b): stride-1 unit"
const char* figure_tag(UnitFigure f);      // "(b)"
// Layout in unit coordinates: x in [0, 1] across the drawing, rows top to bottom.
struct UnitNode {
  int layer = -1;            // index into Profile::layers; -1: the unit's input
  std::string label;         // the paper's words: "1x1 GConv g=3", "Channel Shuffle"
  float x = 0.5f, w = 0.6f;  // centre and width, fractions of the drawing's width
  int row = 0;
  Shape shape;  // output shape (the input's shape for the input node)
};
struct UnitEdge {
  int from = 0, to = 0;   // node indices
  bool shortcut = false;  // the identity path, drawn around the main branch
};
struct UnitGraph {
  UnitFigure figure = UnitFigure::v2_c;
  std::string block;  // "stage3.1"
  int block_index = -1, rows = 0;
  std::vector<UnitNode> nodes;
  std::vector<UnitEdge> edges;
  float shortcut_x = 0.f;  // where an identity shortcut runs (0: none)
};
std::string paper_label(const LayerCost& l);  // from LayerCost::kind
UnitFigure figure_of_block(const Profile& p, int block, bool bottleneck_twin = false);
std::vector<int> unit_blocks(const Profile& p, UnitFigure f);  // blocks drawn as figure f
UnitGraph build_unit_graph(const Profile& p, int block, UnitFigure f);

// [SECTION] the seed article's formulas, for a V1 stride-1 unit: input h x w x c,
// bottleneck m, g groups, batch n. FLOPs here are multiply-adds, as in the papers.
struct UnitFormulas {
  bool ok = false;
  std::string block, why_not;  // why_not: when !ok
  int64_t n = 1, h = 0, w = 0, c = 0, m = 0, g = 1;
  int64_t resnet = 0;                    // n*hw(2cm + 9m^2)
  int64_t resnext = 0;                   // n*hw(2cm + 9m^2/g)
  int64_t shufflenet = 0;                // n*hw(2cm/g + 9m)
  int64_t measured = 0;                  // nn/cost: the MAdds of the unit's convolutions
  int64_t measured_conv[3] = {0, 0, 0};  // gconv1, dwconv, gconv2
};
UnitFormulas v1_unit_formulas(const Profile& p, int block, int groups);
// ShuffleNet V2's basic unit, branch width b = c/2: n*hw(2b^2 + 9b), beside nn/cost's count.
struct V2Formula {
  bool ok = false;
  std::string block;
  int64_t n = 1, h = 0, w = 0, b = 0, formula = 0, measured = 0;
};
V2Formula v2_unit_formula(const Profile& p, int block);

// [SECTION] compare two models
struct CompareRow {
  std::string name;  // a stage name, or "total"
  int64_t params[2] = {0, 0}, madds[2] = {0, 0}, mac[2] = {0, 0};
  double time_ms[2] = {0, 0};
  bool in[2] = {false, false};  // the stage exists in model a / b
};
std::vector<CompareRow> compare_rows(const Profile& a, const Profile& b);  // stages, then total
std::string compare_line(const Profile& a, const Profile& b);  // "v2-1.0 is 0.6 ms (7%) faster ..."
std::string compare_text(const Profile& a, const Profile& b, bool markdown);

// [SECTION] number formatting shared by the panel and the exports
std::string si(double v);              // 1234567 -> "1.23M", 980 -> "980"
std::string grouped(int64_t v);        // 1234567 -> "1,234,567"
std::string ms_str(double t);          // 0.1234 -> "0.123"
std::string pct(double share);         // 0.4567 -> "45.7%"
std::string dims_str(const Shape& s);  // (1,240,8,8) -> "1x240x8x8"

// [SECTION] everything the panel keeps between frames
struct BlocksState {
  BlocksJob job;       // the settings the controls show
  BlocksResult shown;  // the last finished job (what is drawn)
  bool have_result = false;
  uint64_t submitted = 0;  // id of the last submit
  TableLevel level = TableLevel::layers;
  TableColumn sort_col = TableColumn::order;
  bool sort_ascending = true;
  UnitFigure figure = UnitFigure::v2_c;
  int unit_block = -1;                          // the block the diagram shows; -1: the default one
  int selected_first = -1, selected_count = 0;  // layers highlighted in the table
  bool scroll_to_selection = false;
  int right_tab_request =
      -1;  // open this tab next frame: 0 table, 1 categories, 2 formulas, 3 compare
  BlocksWorker worker;

  void request();    // submits `job` when it differs from what was last submitted
  void remeasure();  // submits `job` again, to time it once more
  bool update();     // takes a finished result; true when the view changed
  void select_layers(int first, int count);
  void pick_default_unit();  // a stride-1 unit of stage 3 (the figure of the model's family)
 private:
  BlocksJob last_submitted_;
  bool submitted_any_ = false;
};

}  // namespace sl::viz
