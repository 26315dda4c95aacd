// lessons/04_convolution/exercise.cpp - YOUR answer to exercise 04 (see exercise.h for the
// task). Replace each `throw` with your code, then run: make check-exercise N=04
// Hint: x.at({n, c, h, w}) reads one element; Tensor::zeros(shape).data() gives a buffer.
#include "lessons/04_convolution/exercise.h"

#include "lessons/check.h"

sl::Tensor conv2d_forward_by_hand(const sl::Tensor& x, const sl::Tensor& w,
                                  const sl::Conv2dParams& p) {
  throw lesson::NotImplemented("conv2d_forward_by_hand in lessons/04_convolution/exercise.cpp");
}

sl::Tensor conv2d_weight_grad_by_hand(const sl::Tensor& x, const sl::Tensor& dout,
                                      const sl::Shape& w_shape, const sl::Conv2dParams& p) {
  throw lesson::NotImplemented("conv2d_weight_grad_by_hand in lessons/04_convolution/exercise.cpp");
}
