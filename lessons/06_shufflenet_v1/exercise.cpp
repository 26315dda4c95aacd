// lessons/06_shufflenet_v1/exercise.cpp - YOUR answer to exercise 06 (see exercise.h for
// the task). Replace the `throw` with your code, then run: make check-exercise N=06
// You will need: sl::conv2d (nn/conv2d.h), sl::batch_norm with {.training = false}
// (nn/batchnorm.h), sl::avg_pool2d (nn/pool.h), and sl::relu, sl::add, sl::cat,
// sl::channel_shuffle (core/tensor.h).
#include "lessons/06_shufflenet_v1/exercise.h"

#include "lessons/check.h"

sl::Tensor v1_unit(const sl::Tensor& x, const V1UnitWeights& u) {
  throw lesson::NotImplemented("v1_unit in lessons/06_shufflenet_v1/exercise.cpp");
}
