// lessons/09_g2_g3/exercise.cpp - YOUR answer to exercise 09 (see exercise.h for the task).
// Replace each `throw` with your code, then run: make check-exercise N=09
#include "lessons/09_g2_g3/exercise.h"

#include "lessons/check.h"

double group_conv_mac(int64_t h, int64_t w, int64_t c1, int64_t g, double B) {
  throw lesson::NotImplemented("group_conv_mac in lessons/09_g2_g3/exercise.cpp");
}

sl::Tensor parallel_fragments(const sl::Tensor& x, const sl::Tensor& w, int64_t n) {
  throw lesson::NotImplemented("parallel_fragments in lessons/09_g2_g3/exercise.cpp");
}
