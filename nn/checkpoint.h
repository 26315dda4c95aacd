// nn/checkpoint.h - the two files a training run keeps in its output folder:
// OUT/last.safetensors, the model's state_dict under the keys of shared/spec/models.md
// (any tool that reads safetensors, and `shufflelab eval`, can load it), and
// OUT/last.state.safetensors, everything else --resume needs: the optimiser's momentum
// buffers as tensors, the recipe and the position (epoch, step, running totals) as
// __metadata__ strings. Both are written atomically (temp file, then rename).
// Not here: the loop (nn/train.h).
#pragma once
#include <string>

#include "nn/module.h"
#include "nn/optim.h"
#include "nn/train.h"

namespace sl {

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

// Writes the weights first, then the state; both carry the same global step so that a
// pair torn by a crash between the two renames is detected on load.
void save_checkpoint(const std::string& out_dir, const Module& model, const Sgd& opt, const TrainConfig& cfg,
                     const TrainState& st);

struct CheckpointInfo {
  TrainConfig cfg;   // the recipe it was trained with (data_dir and out_dir left empty)
  TrainState state;
};
// Reads the state file's metadata only. Throws when OUT holds no checkpoint, naming the
// files it expected.
CheckpointInfo read_checkpoint_info(const std::string& out_dir);

// Loads weights and momentum buffers (all-or-nothing for each), checking that both files
// belong to the same step.
void load_checkpoint(const std::string& out_dir, Module& model, Sgd& opt);

}  // namespace sl
