// lessons/12_training/exercise.h - exercise 12: the two formulas of the training recipe,
// one SGD-with-momentum update of one parameter and the one-cycle learning rate. Implement
// both in lessons/12_training/exercise.cpp; `make check-exercise N=12` compares them with
// sl::Sgd and sl::lr_one_cycle (nn/optim.h). Reference: lessons/12_training/solution/exercise.cpp.
#pragma once
#include <cstdint>
#include <vector>

// One step, in place, for every k (PyTorch's torch.optim.SGD, dampening 0):
//   d = g + weight_decay * w
//   buf = momentum * buf + d             (buf starts at zeros)
//   step = nesterov ? d + momentum * buf : buf
//   w = w - lr * step
// w, buf and g have the same length. Work in float, in this order, to match nn/optim bit
// for bit (the checker allows float rounding anyway).
void sgd_step(std::vector<float>& w, std::vector<float>& buf, const std::vector<float>& g, float lr,
              float momentum, float weight_decay, bool nesterov);

// The one-cycle rate of step t (0 .. total-1) with peak `peak`, PyTorch's OneCycleLR
// defaults: it starts at peak/25, rises along half a cosine until step 0.3*total - 1 (a
// real number: up = 0.3*total - 1), then falls along half a cosine to peak/25/1e4 at step
// total - 1. Half a cosine from a to b at fraction f in [0, 1]: b + (a - b)*(1 + cos(pi*f))/2.
float one_cycle_lr(int64_t t, int64_t total, float peak);
