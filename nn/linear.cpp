// nn/linear.cpp - linear = matmul with the transposed weight, plus a broadcast bias.
// Both pieces are core ops with their own backward (dx = dout w, dw = dout^T x,
// db = sum over N of dout), so nothing is recorded here.
#include "nn/linear.h"

namespace sl {

// x [N, I], w [O, I], b [O] -> out [N, O]
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  SL_CHECK(x.dim() == 2 && w.dim() == 2, "linear: x must be [N, I] and w [O, I]; x is ",
           shape_str(x.shape()), ", w is ", shape_str(w.shape()));
  SL_CHECK(x.size(1) == w.size(1), "linear: x is ", shape_str(x.shape()), " but w ",
           shape_str(w.shape()), " expects I = ", w.size(1));
  const int64_t O = w.size(0);
  Tensor out = matmul(x, w.transpose(0, 1));
  if (b.defined()) {
    SL_CHECK(b.dim() == 1 && b.size(0) == O, "linear: b must be (", O, "), it is ",
             shape_str(b.shape()));
    out = out + b;
  }
  return out;
}

}  // namespace sl
