// core/internal.h - helpers shared by the core's .cpp files only: the copy counter
// hook, dim wrapping, and same-device checks (kernels are reached with SL_KERNEL, core/backend.h).
// Not part of the public API (that is core/tensor.h); nothing outside core/ includes this.
#pragma once
#include "core/tensor.h"

namespace sl {

void count_copy(int64_t bytes);  // core/tensor.cpp

// Python-style negative dims: -1 is the last. `op` names the caller in the error.
inline int64_t wrap_dim(int64_t d, int64_t ndim, const char* op) {
  SL_CHECK(d >= -ndim && d < ndim, op, ": dim ", d, " is out of range for a tensor with ", ndim,
           " dims");
  return d < 0 ? d + ndim : d;
}

inline void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  SL_CHECK(a.device() == b.device(), op, ": tensors are on different devices (",
           device_name(a.device()), " and ", device_name(b.device()), ")");
}

}  // namespace sl
