// core/cuda/table.cu - the CUDA backend's entry in the kernel table of core/backend.h
// (every entry is implemented), and device_present(), which the registry asks before
// handing the table out. Twin: core/cpu/table.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

const Backend& table() {
  static const Backend b = {
      .name = "cuda",
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
      .maxpool2d_forward = maxpool2d_forward,
      .maxpool2d_backward = maxpool2d_backward,
      .avgpool2d_forward = avgpool2d_forward,
      .avgpool2d_backward = avgpool2d_backward,
      .channel_shuffle = channel_shuffle,
      .accumulate_strided = nullptr,  // autograd adds out of place instead
  };
  return b;
}

// No SL_CUDA_CHECK here on purpose: "no driver" and "no device" are answers, not errors,
// and this must never throw. The failed query's error is cleared so it cannot surface later.
bool device_present() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return count > 0;
}

}  // namespace sl::cuda
