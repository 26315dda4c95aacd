// viz/train/train_state.h - the Train panel's model without any ImGui: a worker thread
// that runs nn/train's train() (the one training loop; this file adds none) with pause,
// resume, stop and "save now", the curves it collects per step and per epoch, a run
// folder's metrics.jsonl read back, and the inspection of a weights file on the test set
// (predictions, confusion matrix, feature maps before and after each channel shuffle).
// Not here: drawing (panel_train*.cpp), the loop, evaluation or checkpoints (nn/train.h).
// tests/viz/test_viz_state_train.cpp drives it on a tiny synthetic data set.
//
// [SECTION] index: phases | curves | inspection | feature maps | session | panel state
#pragma once
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nn/module.h"
#include "nn/train.h"

namespace sl::viz {

// [SECTION] phases
// idle -> running <-> paused; running/paused -> stopping -> finished (a checkpoint was
// saved); running -> finished at the last epoch; any -> error (the message says why).
enum class TrainPhase { idle, running, paused, stopping, finished, error };
const char* phase_name(TrainPhase p);  // "idle", "running", ...

// [SECTION] curves: what the plots draw
// The smoothed loss is an exponential moving average with bias correction (Adam's):
// s_n = b*s_(n-1) + (1-b)*loss_n, shown as s_n / (1 - b^n), with b = kSmoothBeta.
constexpr double kSmoothBeta = 0.9;
struct StepPoint {
  double x = 0;  // epochs done, fractional: (global_step) / steps per epoch
  double loss = 0, smooth = 0, lr = 0, img_per_s = 0;
};
struct TrainCurves {
  std::vector<StepPoint> steps;      // one per step of this session (empty for a CLI run)
  std::vector<EpochMetrics> epochs;  // one per finished epoch (metrics.jsonl's lines)
  StepProgress last;                 // the latest step report
  bool have_last = false;
  double ema = 0;  // the running average before bias correction
  int64_t ema_n = 0;
  void add_step(const StepProgress& p);  // appends a point (and its smoothed loss)
};

// Reads OUT/metrics.jsonl (one JSON object per line, as nn/train writes it). Throws
// sl::Error naming the file and line for a line that is not a metrics object.
std::vector<EpochMetrics> read_metrics(const std::string& path);

// [SECTION] inspection: a weights file on the test set
constexpr int kGridImages = 24;  // test images shown with true / predicted labels
extern const char* const kCifarNames[kCifarClasses];  // "airplane", ..., "truck"

struct Inspection {
  std::string model, weights;      // what was evaluated
  int64_t epoch = 0;               // the epoch those weights finished (0: not known)
  int64_t n = 0;                   // test images evaluated
  double acc = 0;                  // nn/train's evaluate(): correct / n
  std::vector<int> labels, preds;  // n each; pred = arg-max of the logits row (first on ties)
  std::array<std::array<int64_t, kCifarClasses>, kCifarClasses> confusion{};  // [true][pred]
  std::vector<uint8_t> images;  // the first min(n, kGridImages) test images, [3, 32, 32] bytes
  std::shared_ptr<const StateDict> state;  // the weights evaluated (for the feature maps)
  std::string error;                       // non-empty: nothing was evaluated, this says why
};
// Predictions and the confusion matrix from logits [n, classes] (row-major).
void fill_predictions(Inspection& in, const std::vector<float>& logits,
                      const std::vector<int>& labels);
// Loads `weights` (nn/train's load_model_weights: a weights file, a checkpoint) into a fresh
// `model` and evaluates it on the first `limit_test` test images (-1: all) of data_dir.
// Errors (no data, wrong model for the weights) become in.error, never an exception.
Inspection inspect_weights(const std::string& model, const std::string& weights,
                           const std::string& data_dir, int64_t limit_test,
                           int64_t eval_batch = 64);

// [SECTION] feature maps: one image through the model, layer by layer
struct FeatureMap {
  std::string name;               // "conv1", "stage2.0 before shuffle", "stage2.0 after shuffle"
  int64_t C = 0, H = 0, W = 0;    // the activation of one image: [C, H, W]
  std::vector<float> values;      // C*H*W, channel-major
  int groups = 1;                 // 2 around a V2 shuffle: the two branches
  std::vector<int> group, inner;  // per channel: its branch and its place in that branch
};
// Runs image ([3, 32, 32] bytes, normalised as in evaluation) through the model, switched
// to eval mode, and returns the stem's output, then for each unit of stages 2-4: a V2 unit
// its Concat output ("before shuffle") and its Channel Shuffle output ("after shuffle", the
// unit's output); a V1 unit its output. The head (conv5, pool, fc) is left out.
std::vector<FeatureMap> feature_maps(Module& model, const uint8_t* image);

// [SECTION] session: the worker thread around train()
struct SessionSnapshot {
  TrainPhase phase = TrainPhase::idle;
  TrainConfig cfg;  // of the run being trained (or last trained)
  TrainCurves curves;
  Inspection inspection;  // of the last epoch's weights, or of an evaluated checkpoint
  bool inspecting = false;
  std::vector<std::string> notes;  // train()'s notes and the session's own lines
  std::string error;               // phase error: what went wrong and what to do
  uint64_t version = 0;            // grows with every change
};

class TrainSession {
 public:
  TrainSession() = default;
  ~TrainSession();  // stops a running run (which saves its checkpoint) and joins
  TrainSession(const TrainSession&) = delete;
  TrainSession& operator=(const TrainSession&) = delete;

  // Starts training cfg on the worker (from idle, finished or error; false otherwise).
  // threads > 0 sets the worker's OpenMP threads. inspect: after every epoch, evaluate
  // OUT/last.safetensors for the predictions, confusion and feature maps.
  bool start(const TrainConfig& cfg, int threads = 0, bool inspect = true);
  void pause();     // running -> paused: the worker blocks after its current step
  void resume();    // paused -> running
  void stop();      // running/paused -> stopping: train() saves and returns within one step
  void save_now();  // running: train() saves a checkpoint before its next step
  // Evaluates a weights file on the worker (from idle, finished or error; false otherwise).
  bool inspect(const std::string& model, const std::string& weights, const std::string& data_dir,
               int64_t limit_test, int64_t epoch = 0);
  // Tests and screenshots: pause by itself after this global step (0: never).
  void pause_after_step(int64_t global_step);

  TrainPhase phase() const;
  uint64_t version() const;
  SessionSnapshot snapshot() const;
  // Blocks until pred(snapshot) holds or `seconds` pass; returns whether it holds.
  bool wait_for(const std::function<bool(const SessionSnapshot&)>& pred, double seconds) const;

 private:
  void join_finished();
  void touch();  // under mu_: version++ and wake waiters
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::thread worker_;
  std::atomic<bool> stop_{false}, save_{false};
  bool pause_ = false;
  int64_t pause_at_ = 0;
  SessionSnapshot s_;
};

// [SECTION] panel state: what the panel keeps between frames
// The model trained by ShuffleLab and committed to the repository, found in the source
// tree ($SHUFFLELAB_MODELS_DIR overrides the folder): "" when absent.
std::string default_model_dir();   // .../assets/models/v2-0.5-cifar10
std::string default_model_path();  // .../model.safetensors, "" when absent
// Where the panel looks for CIFAR-10, in order (cifar10_find_dir's places).
std::vector<std::string> cifar_search_places(const std::string& field);
std::string find_cifar(const std::string& field);  // the first place that holds it, or ""

// A tiny learnable CIFAR-format set (5 x per_file training and `test` test images, a
// class-dependent colour pattern plus noise), for screenshots and demos without the data.
void write_synthetic_cifar(const std::string& dir, int64_t per_file, int64_t test);

struct OpenedRun {
  std::string path;  // a run folder, a weights file or a .state.safetensors checkpoint
  std::string folder, weights, model;
  std::vector<EpochMetrics> epochs;  // its metrics.jsonl
  bool resumable = false;            // the folder holds last.state.safetensors
  CheckpointInfo info;               // when resumable
  std::string error, note;
};
// What `path` holds; never throws (OpenedRun::error says what is wrong). `model` names the
// architecture when the files do not (a plain weights file).
OpenedRun open_run(const std::string& path, const std::string& model);

struct TrainPanelState {
  TrainConfig cfg;                     // the settings the controls show; cfg.device: the backend
  int threads = 0;                     // 0: all cores
  std::string data_field, open_field;  // the text fields
  bool started = false;                // the first draw opened the default model
  TrainSession session;
  SessionSnapshot shown;  // the last snapshot, what is drawn
  OpenedRun opened;       // a run or checkpoint opened to look at (no training)
  bool showing_opened = false;
  double last_reload = 0;  // steady-clock seconds of the last re-read of opened metrics
  // feature maps: computed on the UI thread from the shown inspection's weights
  int fm_image = 0, fm_layer = 0;
  std::unique_ptr<Module> fm_model;
  std::string fm_model_name;
  std::string fm_key;  // weights + model + image the maps below come from
  std::vector<FeatureMap> fm;
  std::string fm_error;
  // headless screenshots: train on a synthetic set and pause after this global step
  std::string synthetic_dir;
  bool remove_synthetic = false;  // the app made synthetic_dir and removes it at exit
  int64_t headless_pause_step = 0;
  int tab_request = -1;  // open this tab next frame: 0 predictions, 1 confusion, 2 feature maps

  TrainPanelState();
  ~TrainPanelState();  // stops a run (it saves), then removes synthetic_dir when it made it
  TrainPanelState(const TrainPanelState&) = delete;
  TrainPanelState& operator=(const TrainPanelState&) = delete;
  void update();                       // takes the session's latest snapshot
  void open(const std::string& path);  // a run folder, weights or checkpoint
  bool start();                        // a new run from cfg (data from data_field)
  bool resume_opened();                // continues the opened checkpoint's run
  void refresh_feature_maps();         // recomputes fm when the weights, image or model changed
};

}  // namespace sl::viz
