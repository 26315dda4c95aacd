// lessons/08_g1_equal_widths/exercise.cpp - YOUR answer to exercise 08 (see exercise.h for
// the task). Replace each `throw` with your code, then run: make check-exercise N=08
#include "lessons/08_g1_equal_widths/exercise.h"

#include "lessons/check.h"

int64_t pointwise_mac(int64_t h, int64_t w, int64_t c1, int64_t c2) {
  throw lesson::NotImplemented("pointwise_mac in lessons/08_g1_equal_widths/exercise.cpp");
}

double pointwise_mac_lower_bound(int64_t h, int64_t w, double B) {
  throw lesson::NotImplemented(
      "pointwise_mac_lower_bound in lessons/08_g1_equal_widths/exercise.cpp");
}
