// core/cpu/optim.cpp - the optimiser's update as a kernel: one SGD-with-momentum step over
// a contiguous parameter, in place. This is the loop nn/optim.cpp used to run inline,
// unchanged (so CPU training stays bit for bit what it was); its GPU twin is
// core/cuda/optim.cu. Not here: which parameters decay, the schedules (nn/optim).
#include "core/cpu/kernels.h"

namespace sl::cpu {

// w, buf, g [n]; for every k (PyTorch's torch.optim.SGD, dampening 0):
//   d = g + weight_decay * w;  buf = momentum * buf + d;  d = nesterov ? d + momentum * buf : buf
//   w = w - lr * d             (buf null: momentum off, d = g + weight_decay * w)
void sgd_update(float* w, float* buf, const float* g, const SgdShape& s) {
  const float lr = s.lr, mu = s.momentum, wd = s.weight_decay;
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
