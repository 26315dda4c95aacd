// core/cuda/optim.cu - the SGD-with-momentum update on the GPU, one thread per parameter
// value (grid-stride), the same formula as its twin core/cpu/optim.cpp. nvcc fuses the
// multiply-adds (FMA), so values agree with the CPU to rounding, not bit for bit.
// Not here: which parameters decay, the schedules (nn/optim).
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// w, buf, g [n]: d = g + wd * w; buf = mu * buf + d; d = nesterov ? d + mu * buf : buf; w -= lr * d
__global__ void sgd_kernel(float* w, float* buf, const float* g, SgdShape s) {
  for (int64_t k = first_index(); k < s.n; k += index_stride()) {
    float d = g[k] + s.weight_decay * w[k];
    if (buf) {
      const float b = s.momentum * buf[k] + d;
      buf[k] = b;
      d = s.nesterov ? d + s.momentum * b : b;
    }
    w[k] -= s.lr * d;
  }
}

}  // namespace

// w, buf, g [n], all device pointers; buf null when momentum is 0.
void sgd_update(float* w, float* buf, const float* g, const SgdShape& s) {
  if (s.n <= 0) return;
  sgd_kernel<<<grid_for(s.n), kThreads>>>(w, buf, g, s);
  SL_CUDA_LAUNCHED("sgd_kernel");
}

}  // namespace sl::cuda
