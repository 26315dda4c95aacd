// nn/linear.h - the fully connected layer of the head: out = x w^T + b, PyTorch's layout
// (w is [out, in]). A composition of matmul and add, so autograd comes from core/.
// Not here: the module holding w and b (nn/layers.h).
#pragma once
#include "core/tensor.h"

namespace sl {

// x [N, I], w [O, I], b [O] (may be undefined) -> out [N, O]
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor());

}  // namespace sl
