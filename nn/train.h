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
  std::string data_dir;              // a folder with the batch files (cifar10_find_dir)
  std::string out_dir = "runs/v2-0.5";
  int64_t epochs = 10;
  int64_t batch = 128;
  float lr = 0.1f;                   // the peak (one-cycle) or starting (cosine) rate
  float momentum = 0.9f;
  float weight_decay = 5e-4f;
  bool nesterov = true;
  float label_smoothing = 0.f;
  std::string schedule = "onecycle"; // or "cosine"
  uint64_t seed = 0;                 // model init, data order, augmentation
  int64_t limit_train = -1;          // use the first N training / test images (-1: all)
  int64_t limit_test = -1;
  int64_t eval_batch = 500;
  bool resume = false;               // continue the run saved in out_dir
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

struct StepProgress {
  int64_t epoch = 0, epochs = 0;        // epoch counts from 1
  int64_t step = 0, steps = 0;          // step counts from 1 inside the epoch
  int64_t global_step = 0;              // steps done in the whole run, this one included
  double loss = 0, acc = 0;             // running means over the epoch so far
  double batch_loss = 0;                // this step's loss
  double lr = 0, img_per_s = 0, eta_s = 0;
};

struct TrainHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochMetrics&)> on_epoch;
  std::function<void(const std::string&)> on_note;  // e.g. "evaluating", "resumed at ..."
  // Checked after every step; when true the loop saves a checkpoint and returns
  // `interrupted` (the CLI's SIGINT handler sets it).
  const std::atomic<bool>* stop = nullptr;
};

// [SECTION] training
enum class TrainStatus { finished, interrupted };
struct TrainResult {
  TrainStatus status = TrainStatus::finished;
  int64_t epoch = 0, step = 0;          // where it stopped: epochs done, steps into the next
  std::vector<EpochMetrics> history;    // epochs finished in this session
};

// Trains cfg.model from scratch (or from the checkpoint in out_dir when cfg.resume),
// writing OUT/metrics.jsonl, OUT/last.safetensors and OUT/last.state.safetensors. A NaN or infinite loss throws sl::Error, leaving the last good
// checkpoint in place.
TrainResult train(const TrainConfig& cfg, const TrainHooks& hooks = {});

// [SECTION] evaluation
// Test accuracy of `model` (switched to eval mode) on `data` in order, in batches; when
// logits is non-null it receives N x classes floats, row n for image n.
double evaluate(Module& model, const Cifar10& data, int64_t batch = 500, std::vector<float>* logits = nullptr);

// Correct predictions in logits [N, K] (the arg-max of each row, first on ties).
int64_t count_correct(const Tensor& logits, const std::vector<int>& labels);

// [SECTION] checkpoints (nn/checkpoint.cpp)
// A run keeps two files in its output folder: OUT/last.safetensors, the model's state_dict
// under the keys of docs/models.md (`shufflelab eval` and any safetensors reader
// load it), and OUT/last.state.safetensors, what --resume needs besides: the momentum
// buffers as tensors, the recipe and the position as __metadata__ strings. Both are
// written atomically (temp file, then rename).

// Where a run stands. The data RNG has no state of its own: the order of epoch e and the
// augmentation of its batch b are drawn from mix_seed(seed, e, b) (nn/cifar10.h), so
// (seed, epoch, step) is the whole random state of the loop.
struct TrainState {
  int64_t epoch = 0;        // epochs completed
  int64_t step = 0;         // steps done inside epoch `epoch` (0 at an epoch boundary)
  double loss_sum = 0;      // sum over the partial epoch's images of their batch loss
  int64_t correct = 0, seen = 0;
  double step_s = 0;        // seconds spent in the partial epoch's steps (for img/s)
  double elapsed_s = 0;     // wall time of the run so far, all sessions
  float lr = 0;             // the rate of the last step taken
};

std::string checkpoint_weights_path(const std::string& out_dir);  // OUT/last.safetensors
std::string checkpoint_state_path(const std::string& out_dir);    // OUT/last.state.safetensors

// Writes the weights first, then the state; both carry the same position "epoch:step" so
// that a pair torn by a crash between the two renames is detected on load.
void save_checkpoint(const std::string& out_dir, const Module& model, const Sgd& opt, const TrainConfig& cfg,
                     const TrainState& st);

struct CheckpointInfo {
  TrainConfig cfg;   // the recipe it was trained with, its data folder, out_dir = OUT
  TrainState state;
};
// Reads the state file's metadata only. Throws when OUT holds no checkpoint, naming the
// files it expected.
CheckpointInfo read_checkpoint_info(const std::string& out_dir);

// Loads weights and momentum buffers (all-or-nothing for each), checking that both files
// belong to the same step.
void load_checkpoint(const std::string& out_dir, Module& model, Sgd& opt);

}  // namespace sl
