// core/ops_matmul.cpp - batched matrix multiply and its backward. A transposed view
// of a contiguous matrix is passed to the kernel as a trans flag, so x @ w.T and the
// backward's a.T @ dout move no data. Kernel: core/cpu/matmul.cpp (fast) with its
// reference twin. Not here: convolution (nn/conv2d.cpp calls its own kernels).
#include "core/internal.h"

namespace sl {

// How the kernel should read the last two dims of x ([.., R, C] logically):
// row-major as is, or a row-major [.., C, R] buffer read transposed. Anything else
// is copied to contiguous first.
struct MatOperand {
  Tensor t;
  bool trans = false;
};
static MatOperand as_operand(const Tensor& x) {
  int64_t n = x.dim(), R = x.size(-2), C = x.size(-1);
  if (x.is_contiguous()) return {x, false};
  bool batch_ok = n == 2 || x.strides()[0] == R * C || x.shape()[0] == 1;
  if (batch_ok && x.strides()[n - 1] == R && x.strides()[n - 2] == 1) return {x, true};
  return {x.clone(), false};
}

// a [M,K] @ b [K,N] -> [M,N];  a [B,M,K] @ b [B,K,N] -> [B,M,N];  a [B,M,K] @ b [K,N] -> [B,M,N]
Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_device(a, b, "matmul");
  SL_CHECK((a.dim() == 2 || a.dim() == 3) && (b.dim() == 2 || b.dim() == 3) && b.dim() <= a.dim(),
           "matmul: supports [M,K]@[K,N], [B,M,K]@[B,K,N] and [B,M,K]@[K,N]; got ",
           shape_str(a.shape()), " @ ", shape_str(b.shape()));
  int64_t B = a.dim() == 3 ? a.size(0) : 1, M = a.size(-2), K = a.size(-1), N = b.size(-1);
  SL_CHECK(b.size(-2) == K, "matmul: inner sizes differ: a is ", shape_str(a.shape()), " (K = ", K,
           ") but b is ", shape_str(b.shape()), " (K = ", b.size(-2), ")");
  SL_CHECK(b.dim() == 2 || b.size(0) == B, "matmul: batch sizes differ: ", shape_str(a.shape()),
           " @ ", shape_str(b.shape()));
  MatOperand oa = as_operand(a), ob = as_operand(b);
  Shape out_shape = a.dim() == 3 ? Shape{B, M, N} : Shape{M, N};
  Tensor out = Tensor::empty(out_shape, a.device());
  MatmulShape s{.B = B,
                .M = M,
                .K = K,
                .N = N,
                .trans_a = oa.trans,
                .trans_b = ob.trans,
                .accumulate = false,
                .b_batch_stride = b.dim() == 2 ? 0 : K * N};
  if (out.numel() > 0) {
    if (K == 0)
      SL_KERNEL(a.device(), fill)(out.data(), out.numel(), 0.f);
    else
      SL_KERNEL(a.device(), matmul)(out.data(), oa.t.data(), ob.t.data(), s);
  }
  record(out, "matmul", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& dout) {
    Tensor da = matmul(dout, b.transpose(-1, -2));  // dA = dout @ B^T
    Tensor db;
    if (b.dim() == 2 && a.dim() == 3) {  // b was shared by every batch: sum over it
      int64_t K = a.size(-1), N = dout.size(-1);
      db = matmul(a.reshape({-1, K}).transpose(0, 1), dout.reshape({-1, N}));
    } else {
      db = matmul(a.transpose(-1, -2), dout);  // dB = A^T @ dout
    }
    return std::vector<Tensor>{da, db};
  });
  return out;
}

}  // namespace sl
