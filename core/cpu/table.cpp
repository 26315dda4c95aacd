// core/cpu/table.cpp - the CPU backend's entry in the kernel table of core/backend.h:
// every entry points at the fast kernel (the reference twins are for tests).
// Twin: core/cuda/table.cu.
#include "core/cpu/kernels.h"

namespace sl::cpu {

const Backend& table() {
  static const Backend b = {
      .name = "cpu",
      .alloc = alloc,
      .free = free,
      .copy_from_host = copy_from_host,
      .copy_to_host = copy_to_host,
      .synchronize = synchronize,
      .fill = fill,
      .copy_strided = copy_strided,
      .unary = unary,
      .binary = binary,
      .relu_backward = relu_backward,
      .reduce = reduce,
      .matmul = matmul,
      .conv2d_forward = conv2d_forward,
      .conv2d_backward_input = conv2d_backward_input,
      .conv2d_backward_weight = conv2d_backward_weight,
      .batchnorm_stats = batchnorm_stats,
      .batchnorm_forward = batchnorm_forward,
      .batchnorm_backward = batchnorm_backward,
      .batchnorm_relu_forward = batchnorm_relu_forward,
      .batchnorm_relu_backward = batchnorm_relu_backward,
      .batchnorm_running = batchnorm_running,
      .maxpool2d_forward = maxpool2d_forward,
      .maxpool2d_backward = maxpool2d_backward,
      .avgpool2d_forward = avgpool2d_forward,
      .avgpool2d_backward = avgpool2d_backward,
      .channel_shuffle = channel_shuffle,
      .cat_shuffle = cat_shuffle,
      .cat_shuffle_backward = cat_shuffle_backward,
      .sgd_update = sgd_update,
      .accumulate_strided = accumulate_strided,
  };
  return b;
}

}  // namespace sl::cpu
