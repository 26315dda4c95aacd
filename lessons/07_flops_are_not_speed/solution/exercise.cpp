// lessons/07_flops_are_not_speed/solution/exercise.cpp - reference answer to exercise 07;
// CI runs the same checker on it (test exercise_07_solution) so the exercise stays solvable.
#include "lessons/07_flops_are_not_speed/exercise.h"

int64_t conv_mac(const sl::Conv2dShape& s) {
  const int64_t in = s.N * s.C_in * s.H * s.W;                        // read the input once
  const int64_t out = s.N * s.C_out * s.H_out * s.W_out;              // write the output once
  const int64_t weights = s.C_out * (s.C_in / s.groups) * s.K * s.K;  // read every weight once
  return in + out + weights;
}

double zero_madds_mac_share(const sl::Profile& p) {
  int64_t free_mac = 0;
  for (const sl::LayerCost& l : p.layers)
    if (l.madds == 0) free_mac += l.mac;
  return p.mac > 0 ? double(free_mac) / double(p.mac) : 0.0;
}
