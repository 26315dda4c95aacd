// core/cpu/optim.cpp - the optimiser's update as a kernel: one SGD-with-momentum step over
// a contiguous parameter, in place. This is the loop nn/optim.cpp used to run inline,
// unchanged but for its threads (so CPU training stays bit for bit what it was); its GPU twin is
// core/cuda/optim.cu. Not here: which parameters decay, the schedules (nn/optim).
#include "core/cpu/kernels.h"

namespace sl::cpu {

// w, buf, g [n]; for every k (PyTorch's torch.optim.SGD, dampening 0):
//   d = g + weight_decay * w;  buf = momentum * buf + d;  d = nesterov ? d + momentum * buf : buf
//   w = w - lr * d             (buf null: momentum off, d = g + weight_decay * w)
// Every k is independent, so the threads split k (the same bits for any thread count); a
// small parameter (BatchNorm's, most 1x1 weights of the 0.5 models) stays on one thread, where
// waking the others would cost more than the update.
void sgd_update(float* w, float* buf, const float* g, const SgdShape& s) {
  const float lr = s.lr, mu = s.momentum, wd = s.weight_decay;
  constexpr int64_t kParallel = int64_t{1} << 15;  // elements
#pragma omp parallel for schedule(static) if (s.n >= kParallel)
  for (int64_t k = 0; k < s.n; ++k) {
    float d = g[k] + wd * w[k];
    if (buf) {
      buf[k] = mu * buf[k] + d;
      d = s.nesterov ? d + mu * buf[k] : buf[k];
    }
    w[k] -= lr * d;
  }
}

}  // namespace sl::cpu
