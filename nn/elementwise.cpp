// nn/elementwise.cpp - relu_layer and add_layer: core ops plus a cost record.
#include "nn/elementwise.h"

#include "nn/cost.h"

namespace sl {

Tensor relu_layer(const Tensor& x) {
  CostProbe probe;
  Tensor out = relu(x);
  probe.record(relu_cost(x.shape()));
  return out;
}

Tensor add_layer(const Tensor& a, const Tensor& b) {
  CostProbe probe;
  SL_CHECK(a.shape() == b.shape(), "add_layer: a is ", shape_str(a.shape()), " but b is ", shape_str(b.shape()));
  Tensor out = add(a, b);
  probe.record(add_cost(out.shape()));
  return out;
}

}  // namespace sl
