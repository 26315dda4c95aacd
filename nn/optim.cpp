// nn/optim.cpp - SGD (momentum, Nesterov, weight decay off 1-D parameters) as one backend
// kernel call per parameter (sgd_update, on the parameter's device), and the learning-rate
// schedules as small closed-form functions of the step, so a resumed run needs only the
// step number to continue its schedule.
// Not here: gradient computation (core/autograd.cpp), the training loop (nn/train.cpp).
#include "nn/optim.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/backend.h"

namespace sl {

// [SECTION] SGD

Sgd::Sgd(std::vector<std::pair<std::string, Tensor>> named_params, const SgdParams& p)
    : params_(std::move(named_params)), p_(p) {
  SL_CHECK(p.momentum >= 0.f && p.weight_decay >= 0.f, "Sgd: momentum (", p.momentum,
           ") and weight_decay (", p.weight_decay, ") must be >= 0");
  SL_CHECK(!p.nesterov || p.momentum > 0.f, "Sgd: Nesterov needs momentum > 0");
  for (auto& [name, t] : params_) {
    SL_CHECK(t.defined() && t.is_contiguous(), "Sgd: parameter '", name,
             "' must be a contiguous tensor");
    SL_CHECK(t.device() == params_.front().second.device(), "Sgd: parameter '", name, "' is on ",
             device_name(t.device()), " but '", params_.front().first, "' is on ",
             device_name(params_.front().second.device()),
             "; move the whole model first (Module::to)");
    bufs_.push_back(p.momentum > 0.f ? Tensor::zeros(t.shape(), t.device()) : Tensor());
  }
}

bool Sgd::decays(size_t i) const {
  return p_.weight_decay > 0.f && (p_.decay_1d || params_[i].second.dim() > 1);
}

// The update itself is a backend kernel (core/cpu/optim.cpp, core/cuda/optim.cu), so the
// parameters, gradients and buffers never leave their device.
void Sgd::step() {
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& t = params_[i].second;
    const Tensor g_t = t.grad();
    if (!g_t.defined()) continue;
    const Tensor gc = g_t.contiguous();
    SL_CHECK(gc.device() == t.device(), "Sgd: the gradient of '", params_[i].first, "' is on ",
             device_name(gc.device()), " but the parameter is on ", device_name(t.device()));
    const SgdShape s{.n = t.numel(),
                     .lr = p_.lr,
                     .momentum = p_.momentum,
                     .weight_decay = decays(i) ? p_.weight_decay : 0.f,
                     .nesterov = p_.nesterov};
    float* buf = p_.momentum > 0.f ? bufs_[i].data() : nullptr;
    SL_KERNEL(t.device(), sgd_update)(t.data(), buf, gc.data(), s);
  }
}

void Sgd::zero_grad() {
  for (auto& [name, t] : params_) t.zero_grad();
}

StateDict Sgd::state_dict() const {
  StateDict sd;
  for (size_t i = 0; i < params_.size(); ++i)
    if (bufs_[i].defined()) sd.push_back({"momentum." + params_[i].first, bufs_[i], DType::f32});
  return sd;
}

void Sgd::load_state_dict(const StateDict& sd) {
  std::unordered_map<std::string, const Tensor*> given;
  for (const StateEntry& e : sd) given[e.name] = &e.tensor;
  const StateDict mine = state_dict();
  SL_CHECK(given.size() == mine.size(), "Sgd: the optimiser state has ", given.size(),
           " momentum buffers but this ", "model has ", mine.size(),
           " (a checkpoint of another model, or another --momentum?)");
  for (const StateEntry& m : mine) {  // validate all, then copy
    auto it = given.find(m.name);
    SL_CHECK(it != given.end(), "Sgd: the optimiser state has no '", m.name, "'");
    SL_CHECK(it->second->shape() == m.tensor.shape(), "Sgd: '", m.name, "' is ",
             shape_str(it->second->shape()), " but the parameter is ", shape_str(m.tensor.shape()));
  }
  for (const StateEntry& m : mine) copy_into(m.tensor, *given.at(m.name));
}

// [SECTION] schedules

namespace {

// Half a cosine from `from` (pct 0) to `to` (pct 1).
float cos_anneal(float from, float to, double pct) {
  return (float)(to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * pct)));
}

}  // namespace

float lr_cosine(int64_t t, int64_t total, float base, int64_t warmup) {
  if (t < warmup) return base * (float)(t + 1) / (float)warmup;
  const int64_t span = std::max<int64_t>(1, total - warmup);
  return cos_anneal(base, 0.f, std::min(1.0, (double)(t - warmup) / (double)span));
}

// PyTorch's phases: step 0 .. pct*total - 1 rises, then falls until step total - 1.
float lr_one_cycle(int64_t t, int64_t total, float base, const OneCycleParams& p) {
  const float initial = base / p.div, final_lr = initial / p.final_div;
  const double up_end = (double)p.pct_start * (double)total - 1.0, down_end = (double)total - 1.0;
  if ((double)t <= up_end) return cos_anneal(initial, base, up_end > 0 ? (double)t / up_end : 1.0);
  const double span = down_end - up_end;
  return cos_anneal(base, final_lr, span > 0 ? std::min(1.0, ((double)t - up_end) / span) : 1.0);
}

float lr_at(const std::string& schedule, int64_t t, int64_t total, float base) {
  if (schedule == "onecycle") return lr_one_cycle(t, total, base);
  // Cosine warms up over the first 2% of the steps (at least one), as is usual on CIFAR.
  if (schedule == "cosine") return lr_cosine(t, total, base, std::max<int64_t>(1, total / 50));
  throw UsageError(str_cat("unknown schedule '", schedule, "': use onecycle or cosine"));
}

}  // namespace sl
