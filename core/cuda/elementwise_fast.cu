// core/cuda/elementwise_fast.cu - the strided copy and the broadcasting binary op, fast,
// beside the readable kernels of core/cuda/elementwise.cu: first the CPU's dimension
// coalescing (neighbouring dims contiguous with each other in every operand merge, size-1
// dims go: a channel-split copy of [N, C/2, H, W] becomes N rows of C/2*H*W floats), then
//   - both operands dense: cudaMemcpyAsync device to device (copy), a flat loop (binary);
//   - otherwise the strided kernel over the few dims left, with 32-bit index arithmetic when
//     every index and offset fits (a 64-bit division costs many more instructions).
// Checked on an H200 (scripts/gpu-check). Used unless SL_CUDA_FAST=0 (elementwise.cu asks
// first). Same results as the readable kernels: the same element gets the same value.
#include "core/cuda/cuda_check.h"
#include "core/cuda/elementwise_apply.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

int64_t numel(const Layout& l) {
  int64_t n = 1;
  for (int i = 0; i < l.ndim; ++i) n *= l.shape[i];
  return n;
}

bool dense(const Layout& l) {
  int64_t acc = 1;
  for (int i = l.ndim - 1; i >= 0; --i) {
    if (l.shape[i] != 1 && l.strides[i] != acc) return false;
    acc *= l.shape[i];
  }
  return true;
}

// The CPU's coalesce (core/cpu/elementwise.cpp), dim for dim: merge d into the previous
// kept dim when, in every layout, stride[prev] == stride[d] * shape[d]; drop size-1 dims.
void coalesce(Layout* ls[], int n) {
  Layout& l0 = *ls[0];
  int out = 0;
  for (int d = 0; d < l0.ndim; ++d) {
    if (l0.shape[d] == 1 && l0.ndim > 1) continue;
    bool merge = out > 0;
    for (int k = 0; k < n && merge; ++k)
      merge = ls[k]->strides[out - 1] == ls[k]->strides[d] * ls[k]->shape[d];
    for (int k = 0; k < n; ++k) {
      Layout& l = *ls[k];
      if (merge) {
        l.shape[out - 1] *= l.shape[d];
        l.strides[out - 1] = l.strides[d];
      } else {
        l.shape[out] = l.shape[d];
        l.strides[out] = l.strides[d];
      }
    }
    if (!merge) ++out;
  }
  if (out == 0) {  // every dim had size 1: one element
    for (int k = 0; k < n; ++k) {
      ls[k]->shape[0] = 1;
      ls[k]->strides[0] = 1;
    }
    out = 1;
  }
  for (int k = 0; k < n; ++k) ls[k]->ndim = out;
}

// True when every offset into l (strides >= 0, the largest element's offset) fits in 31 bits.
bool fits_32(const Layout& l) {
  int64_t last = 0;
  for (int d = 0; d < l.ndim; ++d) {
    if (l.strides[d] < 0) return false;
    last += (l.shape[d] - 1) * l.strides[d];
  }
  return last < (1ll << 31);
}

// A Layout with Int-sized fields, passed by value to the kernel (fewer registers at 32 bits).
template <class Int>
struct LayoutT {
  int ndim;
  Int shape[kMaxDims], strides[kMaxDims];
};

template <class Int>
LayoutT<Int> narrow_layout(const Layout& l) {
  LayoutT<Int> t{};
  t.ndim = l.ndim;
  for (int d = 0; d < l.ndim; ++d) {
    t.shape[d] = (Int)l.shape[d];
    t.strides[d] = (Int)l.strides[d];
  }
  return t;
}

// Offset of the element with row-major flat index e in l's shape (the last dim innermost).
template <class Int>
__device__ Int offset_in(const LayoutT<Int>& l, Int e) {
  Int off = 0;
  for (int d = l.ndim - 1; d > 0; --d) {
    off += e % l.shape[d] * l.strides[d];
    e /= l.shape[d];
  }
  return off + e * l.strides[0];
}

template <class Int>
__global__ void copy_kernel(float* out, LayoutT<Int> lo, const float* x, LayoutT<Int> lx, Int n) {
  for (Int i = (Int)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (Int)gridDim.x * blockDim.x)
    out[offset_in(lo, i)] = x[offset_in(lx, i)];
}

template <class Int>
__global__ void binary_kernel(BinaryOp op, float* out, const float* a, LayoutT<Int> la,
                              const float* b, LayoutT<Int> lb, Int n) {
  for (Int i = (Int)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (Int)gridDim.x * blockDim.x)
    out[i] = apply(op, a[offset_in(la, i)], b[offset_in(lb, i)]);
}

__global__ void binary_dense_kernel(BinaryOp op, float* out, const float* a, const float* b,
                                    uint32_t n) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    out[i] = apply(op, a[i], b[i]);
}

}  // namespace

// out[out_layout] = x[x_layout] (same shape) when the elementwise family is on; false otherwise.
bool copy_strided_fast(float* out, const Layout& out_layout, const float* x,
                       const Layout& x_layout) {
  const int64_t n = numel(x_layout);
  if (!fast_kernels(Fast::elementwise) || n <= 0) return false;
  Layout lo = out_layout, lx = x_layout;
  if (lx.ndim == 0) {  // a scalar: one dim of size 1
    lo.ndim = lx.ndim = 1;
    lo.shape[0] = lx.shape[0] = lo.strides[0] = lx.strides[0] = 1;
  }
  Layout* ls[] = {&lo, &lx};
  coalesce(ls, 2);
  if (dense(lo) && dense(lx)) {
    SL_CUDA_CHECK(cudaMemcpyAsync(out, x, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice));
    return true;
  }
  if (n < (1ll << 31) && fits_32(lo) && fits_32(lx)) {
    copy_kernel<uint32_t><<<grid_for(n), kThreads>>>(out, narrow_layout<uint32_t>(lo), x,
                                                     narrow_layout<uint32_t>(lx), (uint32_t)n);
  } else {
    copy_kernel<int64_t><<<grid_for(n), kThreads>>>(out, narrow_layout<int64_t>(lo), x,
                                                    narrow_layout<int64_t>(lx), n);
  }
  SL_CUDA_LAUNCHED("elementwise_fast copy_kernel");
  return true;
}

// out (contiguous) = a [la] op b [lb] (same shape, broadcast dims stride 0) when
// the elementwise family is on; false otherwise.
bool binary_fast(BinaryOp op, float* out, const float* a, const Layout& la_in, const float* b,
                 const Layout& lb_in) {
  const int64_t n = numel(la_in);
  if (!fast_kernels(Fast::elementwise) || n <= 0) return false;
  Layout la = la_in, lb = lb_in, lo = la_in;  // lo: the contiguous output, coalesced alongside
  if (la.ndim == 0) {
    la.ndim = lb.ndim = lo.ndim = 1;
    la.shape[0] = lb.shape[0] = lo.shape[0] = 1;
    la.strides[0] = lb.strides[0] = 1;
  }
  int64_t acc = 1;
  for (int d = lo.ndim - 1; d >= 0; --d) {
    lo.strides[d] = acc;
    acc *= lo.shape[d];
  }
  Layout* ls[] = {&lo, &la, &lb};
  coalesce(ls, 3);
  if (n < (1ll << 31) && dense(la) && dense(lb)) {
    binary_dense_kernel<<<grid_for(n), kThreads>>>(op, out, a, b, (uint32_t)n);
  } else if (n < (1ll << 31) && fits_32(la) && fits_32(lb)) {
    binary_kernel<uint32_t><<<grid_for(n), kThreads>>>(op, out, a, narrow_layout<uint32_t>(la), b,
                                                       narrow_layout<uint32_t>(lb), (uint32_t)n);
  } else {
    binary_kernel<int64_t><<<grid_for(n), kThreads>>>(op, out, a, narrow_layout<int64_t>(la), b,
                                                      narrow_layout<int64_t>(lb), n);
  }
  SL_CUDA_LAUNCHED("elementwise_fast binary_kernel");
  return true;
}

}  // namespace sl::cuda
