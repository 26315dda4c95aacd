// core/cuda/elementwise_apply.h - the formula of each element-wise op on the device, shared
// by the readable kernels (elementwise.cu) and the fast ones (elementwise_fast.cu). Same
// formulas as the CPU's apply(UnaryOp) and apply(BinaryOp) (core/cpu/elementwise.cpp).
// Device code only: included by .cu files.
#pragma once
#include "core/backend.h"

namespace sl::cuda {

__device__ inline float apply(UnaryOp op, float v) {
  switch (op) {
    case UnaryOp::neg: return -v;
    case UnaryOp::relu: return v > 0.f ? v : 0.f;
    case UnaryOp::exp: return expf(v);
    case UnaryOp::log: return logf(v);
    case UnaryOp::sqrt: return sqrtf(v);
    case UnaryOp::abs: return fabsf(v);
    case UnaryOp::sign: return (float)((v > 0.f) - (v < 0.f));
  }
  return v;
}

__device__ inline float apply(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return powf(a, b);
    case BinaryOp::max: return a > b ? a : b;
    case BinaryOp::eq: return a == b ? 1.f : 0.f;
    case BinaryOp::ne: return a != b ? 1.f : 0.f;
    case BinaryOp::lt: return a < b ? 1.f : 0.f;
    case BinaryOp::le: return a <= b ? 1.f : 0.f;
    case BinaryOp::gt: return a > b ? 1.f : 0.f;
    case BinaryOp::ge: return a >= b ? 1.f : 0.f;
  }
  return 0.f;
}

}  // namespace sl::cuda
