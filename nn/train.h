// nn/train.h - training a model on CIFAR-10 (the recipe of `shufflelab train`) and
// measuring test accuracy: the loop, its per-step and per-epoch reports, SIGINT-style
// stopping, divergence detection (nn/train.cpp), and the checkpoints that let a run resume
// bit for bit (nn/checkpoint.cpp). Reports go to callbacks: this library prints nothing.
// Not here: the data (nn/cifar10.h), the update rule and schedules (nn/optim.h).
//
// [SECTION] index: recipe | reports | training | evaluation | checkpoints
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/cifar10.h"
#include "nn/module.h"
#include "nn/optim.h"

namespace sl {

// [SECTION] recipe
// The recipe. Defaults are the project's: one-cycle, Nesterov momentum 0.9, wd 5e-4
// (not on BatchNorm or biases), no label smoothing.
struct TrainConfig {
  std::string model = "v2-0.5";
  std::string data_dir;  // a folder with the batch files (cifar10_find_dir)
  std::string out_dir = "runs/v2-0.5";
  int64_t epochs = 10;
  int64_t batch = 128;
  float lr = 0.1f;  // the peak (one-cycle) or starting (cosine) rate
  float momentum = 0.9f;
  float weight_decay = 5e-4f;
  bool nesterov = true;
  float label_smoothing = 0.f;
  std::string schedule = "onecycle";  // or "cosine"
  uint64_t seed = 0;                  // model init, data order, augmentation
  int64_t limit_train = -1;           // use the first N training / test images (-1: all)
  int64_t limit_test = -1;
  int64_t eval_batch = 64;      // test batches (the CPU plan is fastest at 64: docs/inference.md)
  bool resume = false;          // continue the run saved in out_dir
  bool overwrite = false;       // a new run may replace the run already in out_dir
  Device device = Device::cpu;  // where the model, loss, metrics and update run (not saved:
                                // a run may resume on another device, equal up to rounding)
};

// [SECTION] reports
// One line of OUT/metrics.jsonl. Epochs count from 1; lr is the rate of the epoch's last
// step; img_per_s counts training steps only; elapsed_s is wall time since the run
// started, summed over resumed sessions.
struct EpochMetrics {
  int64_t epoch = 0;
  double train_loss = 0, train_acc = 0, test_acc = 0, lr = 0, img_per_s = 0, elapsed_s = 0;
};
std::string metrics_json(const EpochMetrics& m);  // {"epoch": 1, "train_loss": ...}

// "43.21%", or "11.20% (chance level: 10% for 10 classes)" when an accuracy is below
// twice chance, so that a newcomer reads a near-10% result as "learned nothing yet".
std::string accuracy_str(double acc, int64_t classes = kCifarClasses);

struct StepProgress {
  int64_t epoch = 0, epochs = 0;  // epoch counts from 1
  int64_t step = 0, steps = 0;    // step counts from 1 inside the epoch
  int64_t global_step = 0;        // steps done in the whole run, this one included
  double loss = 0, acc = 0;       // running means over the epoch so far
  double batch_loss = 0;          // this step's loss
  double lr = 0, img_per_s = 0, eta_s = 0;
};

struct TrainHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochMetrics&)> on_epoch;
  std::function<void(const std::string&)> on_note;  // e.g. "evaluating", "resumed at ..."
  // Checked after every step; when true the loop saves a checkpoint and returns
  // `interrupted` (the CLI's SIGINT handler sets it).
  const std::atomic<bool>* stop = nullptr;
  // Checked before every step; when true the loop sets it back to false, saves a checkpoint
  // of where it stands and goes on (the app's "Save now").
  std::atomic<bool>* save_now = nullptr;
};

// [SECTION] training
enum class TrainStatus { finished, interrupted };
struct TrainResult {
  TrainStatus status = TrainStatus::finished;
  int64_t epoch = 0, step = 0;        // where it stopped: epochs done, steps into the next
  std::vector<EpochMetrics> history;  // epochs finished in this session
};

// Trains cfg.model from scratch (or from the checkpoint in out_dir when cfg.resume),
// writing OUT/metrics.jsonl, OUT/last.safetensors and OUT/last.state.safetensors.
// A new run refuses (sl::UsageError) an out_dir that already holds a run unless
// cfg.overwrite; even then the old files stay until the new run's first checkpoint.
// A NaN or infinite loss, or a NaN/Inf weight or momentum value at a save, throws
// sl::Error and leaves the last good checkpoint in place: nothing non-finite is saved.
TrainResult train(const TrainConfig& cfg, const TrainHooks& hooks = {});

// What a folder already holds ("a v2-0.5 run at epoch 3 of 10 (last.state.safetensors,
// ...)"), or "" when it holds no run's files.
std::string existing_run(const std::string& out_dir);
// The refusal train() starts with: sl::UsageError with the three ways out when a new run
// (neither resume nor overwrite) would go into a folder that holds a run.
void check_new_run_folder(const TrainConfig& cfg);

// [SECTION] evaluation
// Test accuracy of `model` (in eval mode) on `data` in order, in batches; when logits is
// non-null it receives N x classes floats, row n for image n. What `train` (after each epoch),
// `eval` and the app's Train panel call: on the CPU it runs inference plans compiled from the
// model (evaluate_with_plan, nn/infer.h: BatchNorm folded, no autograd, ~2.5x faster), on a
// device the model's own forward (evaluate_forward).
double evaluate(Module& model, const Cifar10& data, int64_t batch = 500,
                std::vector<float>* logits = nullptr);
// The same through the model's own eval-mode forward, on the model's device: the reference
// the plan is tested against (tests/nn/test_infer_eval.cpp) and the path for devices.
double evaluate_forward(Module& model, const Cifar10& data, int64_t batch = 500,
                        std::vector<float>* logits = nullptr);
// The walk evaluate() makes, with `forward` (x [B, 3, 32, 32] on the CPU -> logits [B, classes],
// on any device) in place of the model: shared with evaluate_with_plan (nn/infer.h).
double evaluate_batches(const Cifar10& data, int64_t batch, std::vector<float>* logits,
                        const std::function<Tensor(const Tensor&)>& forward);

// Correct predictions in logits [N, K] (the arg-max of each row, first on ties). Logits on
// a device are compared there (only the count comes back; a NaN row counts as its NaN's class).
int64_t count_correct(const Tensor& logits, const std::vector<int>& labels);

// [SECTION] checkpoints (nn/checkpoint.cpp)
// A run's folder OUT holds three files:
//   OUT/last.state.safetensors  THE checkpoint, complete in one file: the weights (keys
//       "model.<key>"), the momentum buffers ("momentum.<param>"), and as __metadata__
//       strings the recipe, the position and every metrics line so far. One file renamed
//       into place is atomic, so weights and optimiser state can never come from two
//       different steps, and --resume needs nothing else.
//   OUT/last.safetensors  the weights alone under the keys of docs/models.md, for `shufflelab
//       eval` and any safetensors reader; a copy, written after the state file.
//   OUT/metrics.jsonl     one line per epoch, a copy of the state's lines, written last.
// A save writes the three in that order, each atomically (write_file_atomic). A crash
// after the state's rename leaves the two copies one checkpoint behind (each file still
// whole, so eval works); --resume rewrites them from the state file before going on.
// Before the state's rename, the previous checkpoint is untouched.

// Where a run stands. The data RNG has no state of its own: the order of epoch e and the
// augmentation of its batch b are drawn from mix_seed(seed, e, b) (nn/cifar10.h), so
// (seed, epoch, step) is the whole random state of the loop.
struct TrainState {
  int64_t epoch = 0;    // epochs completed
  int64_t step = 0;     // steps done inside epoch `epoch` (0 at an epoch boundary)
  double loss_sum = 0;  // sum over the partial epoch's images of their batch loss
  int64_t correct = 0, seen = 0;
  double step_s = 0;     // seconds spent in the partial epoch's steps (for img/s)
  double elapsed_s = 0;  // wall time of the run so far, all sessions
  float lr = 0;          // the rate of the last step taken
  std::string metrics;   // the metrics.jsonl lines of epochs 1..epoch, each ending in \n
};

std::string checkpoint_weights_path(const std::string& out_dir);  // OUT/last.safetensors
std::string checkpoint_state_path(const std::string& out_dir);    // OUT/last.state.safetensors
std::string checkpoint_metrics_path(const std::string& out_dir);  // OUT/metrics.jsonl

// Saves the three files above, state first. Refuses (sl::Error naming the tensor) when any
// weight or momentum value is NaN or infinite, before writing anything.
void save_checkpoint(const std::string& out_dir, const Module& model, const Sgd& opt,
                     const TrainConfig& cfg, const TrainState& st);

struct CheckpointInfo {
  TrainConfig cfg;  // the recipe it was trained with, its data folder, out_dir = OUT
  TrainState state;
  std::string position;  // "epoch:step" as saved, a check on the two
};
// Reads the state file's metadata and validates every field on its own (ranges, the
// metrics lines against the epoch); throws sl::Error naming the file and the field.
// Throws when OUT holds no checkpoint, naming the file it expected.
CheckpointInfo read_checkpoint_info(const std::string& out_dir);

// The checks that need the data: the position must lie inside an epoch of `train_images`
// images at the checkpoint's batch size (step <= steps of an epoch), and the partial
// epoch's image count must match it.
void check_checkpoint_position(const CheckpointInfo& info, int64_t train_images,
                               const std::string& out_dir);

// Loads weights and momentum buffers from the state file (each all-or-nothing; NaN/Inf
// refused, naming the tensor), then brings OUT/last.safetensors and OUT/metrics.jsonl up to date
// with it when a crash left them behind. Returns what it repaired ("" when nothing).
std::string load_checkpoint(const std::string& out_dir, Module& model, Sgd& opt);

// The weights of `path` into `model`, whatever `path` is: a run folder (its
// last.safetensors), a checkpoint (OUT/last.state.safetensors: its "model.<key>" tensors)
// or a weights file (load_weights). All-or-nothing; NaN/Inf refused, naming the tensor.
void load_model_weights(Module& model, const std::string& path);
// The architecture a run folder or checkpoint was trained as ("" for a plain weights file
// or a folder without a readable checkpoint): read_checkpoint_info's cfg.model.
std::string checkpoint_model(const std::string& path);

}  // namespace sl
