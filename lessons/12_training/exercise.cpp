// lessons/12_training/exercise.cpp - YOUR answer to exercise 12 (see exercise.h for the
// task). Replace each `throw` with your code, then run: make check-exercise N=12
#include "lessons/12_training/exercise.h"

#include "lessons/check.h"

void sgd_step(std::vector<float>& w, std::vector<float>& buf, const std::vector<float>& g, float lr,
              float momentum, float weight_decay, bool nesterov) {
  throw lesson::NotImplemented("sgd_step in lessons/12_training/exercise.cpp");
}

float one_cycle_lr(int64_t t, int64_t total, float peak) {
  throw lesson::NotImplemented("one_cycle_lr in lessons/12_training/exercise.cpp");
}
