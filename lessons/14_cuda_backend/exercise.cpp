// lessons/14_cuda_backend/exercise.cpp - YOUR answer to exercise 14 (see exercise.h for the
// task). Replace each `throw` with your code, then run: make check-exercise N=14
#include "lessons/14_cuda_backend/exercise.h"

#include "lessons/check.h"

int64_t shuffle_gather_index(int64_t e, int64_t N, int64_t C, int64_t G, int64_t HW) {
  throw lesson::NotImplemented("shuffle_gather_index in lessons/14_cuda_backend/exercise.cpp");
}

int64_t depthwise_source_row(int64_t ih, int64_t kh, int64_t stride, int64_t H_out) {
  throw lesson::NotImplemented("depthwise_source_row in lessons/14_cuda_backend/exercise.cpp");
}
