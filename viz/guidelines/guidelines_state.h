// viz/guidelines/guidelines_state.h - the Guidelines panel's model, without a window: which
// experiment is shown, the run settings, the results, and the worker thread that runs
// nn/guidelines.h (progress, cancel; the UI thread only polls). Also the numbers the
// charts plot (bars normalised to the first row, G1's MAC curve and its AM-GM bound), so
// tests check them without ImGui. Not here: drawing (panel_guidelines*.cpp).
#pragma once
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nn/guidelines.h"

namespace sl::viz {

enum class GuidelinesView { g1, g2, g3, g4, zero_copy };
constexpr int kGuidelinesViews = 5;
const char* guidelines_view_name(GuidelinesView v);  // "G1", ..., "Zero-copy"
bool guidelines_view_from_name(const std::string& name, GuidelinesView* out);  // any case

// What one background job computes: the tables and zero-copy section of run_guidelines,
// or one extra slider point (G1 ratio or G2 groups) timed by measure_config.
struct GuidelinesJob {
  enum class Kind { run, g1_point, g2_point } kind = Kind::run;
  GuidelinesOptions opt;  // for run (progress and cancel are set by the state)
  GuidelineConfig point;  // for the slider points
  int warmup = 2, repeats = 9;
};

class GuidelinesState {
 public:
  GuidelinesState();
  ~GuidelinesState();  // cancels and joins a running job
  GuidelinesState(const GuidelinesState&) = delete;
  GuidelinesState& operator=(const GuidelinesState&) = delete;

  // [SECTION] settings the panel edits
  GuidelinesView view = GuidelinesView::g1;
  Device device = Device::cpu;  // where the experiments run (viz/ui.h's device_switch)
  bool precise = false;
  int threads = 0;  // 0: all cores
  int batch = 1;
  double g1_ratio = 3.0;  // the slider: c2 / c1, any value in [1/16, 16]
  int g2_groups = 16;     // the slider: any power of two 1..64
  bool auto_run = true;   // start a quick run of the shown experiment when first shown

  // [SECTION] jobs: start* return false while another job runs
  bool start_run(bool all);  // all: G1-G4 + zero-copy; else the shown experiment
  bool start_g1_point(double ratio);
  bool start_g2_point(int groups);
  void cancel();
  void wait();  // block until the job ends, then poll() (headless screenshots)
  void poll();  // moves a finished job's results in; call once per frame
  bool running() const;
  double progress() const;  // [0, 1]
  std::string progress_text() const;
  // Why the last job failed (CUDA unavailable: core's device_unavailable_reason in it).
  const std::string& error() const { return error_; }

  // [SECTION] results
  std::array<std::optional<GuidelineTable>, kGuidelineCount> tables;
  std::array<Device, kGuidelineCount> table_device{};  // where each table was measured
  std::optional<ZeroCopyResult> zero_copy;
  std::vector<GuidelineRow> g1_points, g2_points;  // slider measurements, sorted by ratio / g
  std::string last_run;  // "cpu, 2 threads, batch 1, quick" of the newest tables

 private:
  struct Worker;
  bool start(GuidelinesJob job);
  std::unique_ptr<Worker> w_;
  std::string error_;
};

// [SECTION] what the charts plot
// One bar group per row of a table (the width column `width`): ours and the paper's two
// columns, each normalised to the first row of that width.
struct BarRow {
  std::string label;
  double ours, paper_arm, paper_gpu;
  std::string trend;
};
// A short name for a bar: G3 "2 ser." / "4 par.", G4 "ReLU+add" (the shortcut's add) / "none";
// else the label.
std::string bar_label(const GuidelineConfig& c);
std::vector<BarRow> bar_rows(const GuidelineTable& t, const std::string& width);
std::vector<std::string> table_widths(const GuidelineTable& t);  // "x1", "x2", ... in order

// G1: MAC of one 1x1 convolution and its AM-GM lower bound at fixed B, on a log grid of
// c2/c1 ratios from 1/16 to 16 (both from nn/guidelines' g1_point).
struct G1CurvePoint {
  double ratio, mac, bound;
};
std::vector<G1CurvePoint> g1_curve(int64_t hw, int64_t madds_budget, int points = 97);

// G3: why the CPU and the GPU disagree, in two paragraphs (shown beside the table).
const char* g3_cpu_gpu_note();

}  // namespace sl::viz
