// nn/train.h - training a model on CIFAR-10 (the recipe of `shufflelab train`) and
// measuring test accuracy: the loop, its per-step and per-epoch reports, checkpoints that
// resume bit for bit, SIGINT-style stopping and divergence detection. Reports go to
// callbacks: this library prints nothing (apps/cmd_train.cpp draws the progress line).
// Not here: the data (nn/cifar10.h), the update rule and schedules (nn/optim.h).
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

enum class TrainStatus { finished, interrupted };
struct TrainResult {
  TrainStatus status = TrainStatus::finished;
  int64_t epoch = 0, step = 0;          // where it stopped: epochs done, steps into the next
  std::vector<EpochMetrics> history;    // epochs finished in this session
};

// Trains cfg.model from scratch (or from the checkpoint in out_dir when cfg.resume),
// writing OUT/metrics.jsonl, OUT/last.safetensors and OUT/last.state.safetensors (see
// nn/checkpoint.h). A NaN or infinite loss throws sl::Error, leaving the last good
// checkpoint in place.
TrainResult train(const TrainConfig& cfg, const TrainHooks& hooks = {});

// Test accuracy of `model` (switched to eval mode) on `data` in order, in batches; when
// logits is non-null it receives N x classes floats, row n for image n.
double evaluate(Module& model, const Cifar10& data, int64_t batch = 500, std::vector<float>* logits = nullptr);

// Correct predictions in logits [N, K] (the arg-max of each row, first on ties).
int64_t count_correct(const Tensor& logits, const std::vector<int>& labels);

}  // namespace sl
