// nn/pool.h - spatial pooling: max_pool2d (the ImageNet stem), avg_pool2d (ShuffleNet V1's
// stride-2 shortcut; padding counts as zeros, PyTorch's default count_include_pad) and
// global_avg_pool (the head). Differentiable. Not here: the loops (core/cpu/ behind
// core/backend.h), the modules (nn/layers.h).
#pragma once
#include "core/tensor.h"

namespace sl {

struct Pool2dParams {
  int64_t kernel = 2;
  int64_t stride = 0;  // 0 means stride = kernel
  int64_t padding = 0;
};

// x [N, C, H, W] -> the kernel shape struct, H_out = (H + 2*padding - K) / stride + 1.
Pool2dShape pool2d_shape(const char* op, const Shape& x, const Pool2dParams& p);

// x [N, C, H, W] -> [N, C, H_out, W_out]; padded cells never win the max.
Tensor max_pool2d(const Tensor& x, const Pool2dParams& p);
// x [N, C, H, W] -> [N, C, H_out, W_out]; every window divides by K*K, padding included.
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p);
// x [N, C, H, W] -> [N, C], the mean over H and W (torchvision's x.mean([2, 3])).
Tensor global_avg_pool(const Tensor& x);

}  // namespace sl
