// lessons/03_autograd/exercise.h - exercise 03: add a new differentiable op to the
// library the way every op in core/ops_elementwise.cpp is written: compute the forward,
// then record() a backward lambda. Implement it in lessons/03_autograd/exercise.cpp;
// `make check-exercise N=03` checks it. Reference: lessons/03_autograd/solution/exercise.cpp.
#pragma once
#include "core/tensor.h"

// sigmoid(x) = 1 / (1 + exp(-x)), element-wise, any shape.
// As ONE op: its output's Node must have op name "sigmoid" and the single input x, and
// its backward must return dx = dout * s * (1 - s), where s = sigmoid(x) saved from the
// forward (capture s.detach(), as sl::exp in core/ops_elementwise.cpp does, or out's
// Node owns a lambda that owns out: a reference cycle that never
// frees). Composing exp/add/div would give a correct gradient too, but as a chain of four
// Nodes; the point here is to write the backward yourself.
sl::Tensor sigmoid_op(const sl::Tensor& x);
