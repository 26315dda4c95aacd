// nn/elementwise.h - the element-wise steps of a ShuffleNet unit as layers the cost model
// sees: relu_layer and add_layer are core's relu and add (same values, same gradients)
// that also list themselves in an active CostRecording, MAC = inputs + outputs.
// Not here: the element-wise math itself (core/ops_elementwise.cpp).
#pragma once
#include "core/tensor.h"

namespace sl {

// x [any] -> max(x, 0), same shape
Tensor relu_layer(const Tensor& x);
// a, b [same shape] -> a + b (ShuffleNet V1's residual add; no broadcasting)
Tensor add_layer(const Tensor& a, const Tensor& b);

}  // namespace sl
