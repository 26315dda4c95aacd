// core/cuda/elementwise.cu - fill, strided copy, unary and broadcasting binary kernels
// on the GPU, one thread per output element; strided operands are located by turning
// the element's flat index into a multi-index over the Layout. Not here: broadcasting
// rules and gradients (core/ops_elementwise.cpp). The coalescing, 32-bit fast versions of
// the copy and binary kernels: core/cuda/elementwise_fast.cu (the default; SL_CUDA_FAST=0 turns
// them off). Twin: core/cpu/elementwise.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/elementwise_apply.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

int64_t numel_of(const Layout& l) {
  int64_t n = 1;
  for (int i = 0; i < l.ndim; ++i) n *= l.shape[i];
  return n;
}

// Offset from the operand's pointer of the element with row-major flat index e in l's shape.
__device__ int64_t offset_of(const Layout& l, int64_t e) {
  int64_t off = 0;
  for (int d = l.ndim - 1; d >= 0; --d) {
    off += e % l.shape[d] * l.strides[d];
    e /= l.shape[d];
  }
  return off;
}

__global__ void fill_kernel(float* out, int64_t n, float value) {
  for (int64_t i = first_index(); i < n; i += index_stride()) out[i] = value;
}

__global__ void copy_strided_kernel(float* out, Layout lo, const float* x, Layout lx, int64_t n) {
  for (int64_t i = first_index(); i < n; i += index_stride())
    out[offset_of(lo, i)] = x[offset_of(lx, i)];
}

__global__ void unary_kernel(UnaryOp op, float* out, const float* x, int64_t n) {
  for (int64_t i = first_index(); i < n; i += index_stride()) out[i] = apply(op, x[i]);
}

__global__ void binary_kernel(BinaryOp op, float* out, const float* a, Layout la, const float* b,
                              Layout lb, int64_t n) {
  for (int64_t i = first_index(); i < n; i += index_stride())
    out[i] = apply(op, a[offset_of(la, i)], b[offset_of(lb, i)]);
}

__global__ void relu_backward_kernel(float* dx, const float* dout, const float* x, int64_t n) {
  for (int64_t i = first_index(); i < n; i += index_stride()) dx[i] = x[i] > 0.f ? dout[i] : 0.f;
}

}  // namespace

// out [n] = value
void fill(float* out, int64_t n, float value) {
  if (n <= 0) return;
  fill_kernel<<<grid_for(n), kThreads>>>(out, n, value);
  SL_CUDA_LAUNCHED("fill_kernel");
}

// out[out_layout] = x[x_layout]; both layouts have the same shape [d0..dn-1].
void copy_strided(float* out, const Layout& out_layout, const float* x, const Layout& x_layout) {
  int64_t n = numel_of(x_layout);
  if (n <= 0) return;
  if (copy_strided_fast(out, out_layout, x, x_layout))
    return;  // the fast twin, unless SL_CUDA_FAST=0
  copy_strided_kernel<<<grid_for(n), kThreads>>>(out, out_layout, x, x_layout, n);
  SL_CUDA_LAUNCHED("copy_strided_kernel");
}

// out [n] = op(x [n])
void unary(UnaryOp op, float* out, const float* x, int64_t n) {
  if (n <= 0) return;
  unary_kernel<<<grid_for(n), kThreads>>>(op, out, x, n);
  SL_CUDA_LAUNCHED("unary_kernel");
}

// out [shape] (contiguous) = a [shape via la] op b [shape via lb]; broadcast dims have stride 0.
void binary(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
            const Layout& lb) {
  int64_t n = numel_of(la);
  if (n <= 0) return;
  if (binary_fast(op, out, a, la, b, lb)) return;  // the fast twin, unless SL_CUDA_FAST=0
  binary_kernel<<<grid_for(n), kThreads>>>(op, out, a, la, b, lb, n);
  SL_CUDA_LAUNCHED("binary_kernel");
}

// dx [n] = x > 0 ? dout : 0
void relu_backward(float* dx, const float* dout, const float* x, int64_t n) {
  if (n <= 0) return;
  relu_backward_kernel<<<grid_for(n), kThreads>>>(dx, dout, x, n);
  SL_CUDA_LAUNCHED("relu_backward_kernel");
}

}  // namespace sl::cuda
