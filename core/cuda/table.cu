// core/cuda/table.cu - the CUDA backend's entry in the kernel table of core/backend.h
// (every entry is implemented), and unavailable_reason(), which the registry asks
// before handing the table out. Twin: core/cpu/table.cpp.
#include <cstdlib>

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
      .accumulate_strided = nullptr,  // autograd adds out of place instead
      .copy_device = copy_device,
  };
  return b;
}

// No SL_CUDA_CHECK here on purpose: "no driver" and "no device" are answers, not errors,
// and this must never throw. A failed query's error is cleared so it cannot surface later.
// The runtime (libcudart) is linked, but the driver (libcuda) is loaded by the runtime at
// the first call: without it, cudaGetDeviceCount says cudaErrorInsufficientDriver.
std::string unavailable_reason() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) (void)cudaGetLastError();
  if (err == cudaErrorInsufficientDriver)
    return str_cat("device cuda: no NVIDIA driver was found (or it is older than this build's "
                   "CUDA runtime ",
                   CUDART_VERSION / 1000, ".", CUDART_VERSION % 1000 / 10,
                   "): cudaGetDeviceCount says \"", cudaGetErrorString(err),
                   "\"; install or update the driver (nvidia-smi must work), or use --device cpu");
  if (err == cudaErrorNoDevice || (err == cudaSuccess && count == 0)) {
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    return str_cat("device cuda: the NVIDIA driver is installed but found no CUDA device",
                   visible ? str_cat(" (CUDA_VISIBLE_DEVICES=\"", visible, "\" may hide it)") : "",
                   "; check nvidia-smi, or use --device cpu");
  }
  if (err != cudaSuccess)
    return str_cat("device cuda: the NVIDIA driver could not start: cudaGetDeviceCount says \"",
                   cudaGetErrorString(err), "\"; check nvidia-smi, or use --device cpu");
  int dev = 0, major = 0, minor = 0;
  (void)cudaGetDevice(&dev);
  if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) == cudaSuccess &&
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev) == cudaSuccess &&
      major < 8)
    return str_cat("device cuda: GPU ", dev, " has compute capability ", major, ".", minor,
                   ", but this build has kernels for 8.0 and newer only (CUDA_ARCHITECTURES in "
                   "core/CMakeLists.txt); use --device cpu");
  (void)cudaGetLastError();
  return "";
}

}  // namespace sl::cuda
