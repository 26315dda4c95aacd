// nn/optim.h - the optimiser and the learning-rate schedules of the training recipe:
// SGD with momentum, Nesterov and decoupled-from-BatchNorm weight decay (PyTorch's update
// rule, step for step), its momentum buffers as a StateDict for checkpoints, and the
// cosine and one-cycle schedules with warm-up. The update runs on the parameters' device
// (the sgd_update kernel of core/backend.h). Not here: the loop that calls them (nn/train.h).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace sl {

struct SgdParams {
  float lr = 0.1f;
  float momentum = 0.9f;  // 0 turns momentum (and its buffers) off
  bool nesterov = true;
  float weight_decay = 5e-4f;
  bool decay_1d = false;  // also decay 1-D parameters (BatchNorm gamma/beta, biases)
};

// For every parameter p with gradient g (PyTorch's torch.optim.SGD, dampening 0):
//   g   = g + weight_decay * p          (skipped for 1-D p unless decay_1d)
//   buf = momentum * buf + g            (buf starts at 0, so the first buf is g)
//   d   = nesterov ? g + momentum * buf : buf
//   p   = p - lr * d
// Parameters without a gradient are left alone (their buffers too).
class Sgd {
 public:
  Sgd(std::vector<std::pair<std::string, Tensor>> named_params, const SgdParams& p);

  void step();       // one update of every parameter, in place (handles stay valid)
  void zero_grad();  // drops every gradient
  void set_lr(float lr) { p_.lr = lr; }
  float lr() const { return p_.lr; }
  const SgdParams& params() const { return p_; }
  bool decays(size_t i) const;  // whether parameter i gets weight decay

  // Buffers as "momentum.<parameter name>" entries, in parameter order.
  StateDict state_dict() const;
  // Strict like Module::load_state_dict: every buffer present with its shape, no extras.
  void load_state_dict(const StateDict& sd);

 private:
  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<Tensor> bufs_;  // one per parameter, zeros until the first step
  SgdParams p_;
};

// [SECTION] schedules: the learning rate of step t of `total` (t = 0 .. total-1).
// cosine: linear warm-up from base/warmup to base over `warmup` steps, then
//   lr = base * 0.5 * (1 + cos(pi * (t - warmup) / (total - warmup))).
float lr_cosine(int64_t t, int64_t total, float base, int64_t warmup = 0);

// one-cycle (PyTorch's OneCycleLR with anneal "cos", its defaults): warm-up from
// base/div over the first pct of the steps to base, then anneal to base/(div*final_div),
// both along half a cosine.
struct OneCycleParams {
  float pct_start = 0.3f;
  float div = 25.f;
  float final_div = 1e4f;
};
float lr_one_cycle(int64_t t, int64_t total, float base, const OneCycleParams& p = {});

// "onecycle" or "cosine" by name; throws sl::UsageError for anything else.
float lr_at(const std::string& schedule, int64_t t, int64_t total, float base);

}  // namespace sl
