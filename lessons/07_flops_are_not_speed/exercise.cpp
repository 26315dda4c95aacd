// lessons/07_flops_are_not_speed/exercise.cpp - YOUR answer to exercise 07 (see exercise.h
// for the task). Replace each `throw` with your code, then run: make check-exercise N=07
#include "lessons/07_flops_are_not_speed/exercise.h"

#include "lessons/check.h"

int64_t conv_mac(const sl::Conv2dShape& s) {
  throw lesson::NotImplemented("conv_mac in lessons/07_flops_are_not_speed/exercise.cpp");
}

double zero_madds_mac_share(const sl::Profile& p) {
  throw lesson::NotImplemented(
      "zero_madds_mac_share in lessons/07_flops_are_not_speed/exercise.cpp");
}
