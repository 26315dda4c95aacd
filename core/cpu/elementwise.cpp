// core/cpu/elementwise.cpp - fill, strided copy and add-into, unary and broadcasting binary
// kernels, and ReLU's backward. The strided ones coalesce dims first, then take a contiguous fast
// path (a flat loop the compiler vectorizes) or walk rows of the innermost dim; their
// reference twins (last section) visit one element at a time through its full multi-index.
// CUDA twin: core/cuda/elementwise.cu. Not here: broadcasting rules and gradients
// (core/ops_elementwise.cpp).
//
// [SECTION] row iteration over a strided shape
// [SECTION] fill, copy_strided and accumulate_strided
// [SECTION] unary
// [SECTION] binary
// [SECTION] relu_backward
// [SECTION] reference twins of copy_strided, accumulate_strided and binary
#include <cmath>
#include <cstring>

#include "core/cpu/kernels.h"

namespace sl::cpu {

// [SECTION] row iteration over a strided shape
// A shape [d0, ..., dn-1] is walked as rows of its last dim. Row r's start offset in
// each operand is found from r's multi-index; rows are split across threads.
static int64_t rows_of(const Layout& l) {
  int64_t r = 1;
  for (int i = 0; i + 1 < l.ndim; ++i) r *= l.shape[i];
  return r;
}
static int64_t row_offset(const Layout& l, int64_t row) {
  int64_t off = 0;
  for (int i = l.ndim - 2; i >= 0; --i) {
    int64_t idx = row % l.shape[i];
    row /= l.shape[i];
    off += idx * l.strides[i];
  }
  return off;
}
static int64_t numel_of(const Layout& l) {
  int64_t n = 1;
  for (int i = 0; i < l.ndim; ++i) n *= l.shape[i];
  return n;
}
static bool dense(const Layout& l) {
  int64_t acc = 1;
  for (int i = l.ndim - 1; i >= 0; --i) {
    if (l.shape[i] != 1 && l.strides[i] != acc) return false;
    acc *= l.shape[i];
  }
  return true;
}
// Merge neighbouring dims that are contiguous with each other in every layout (and drop
// size-1 dims), so a channel-split copy of [N, C/2, H, W] becomes N rows of C/2*H*W
// floats instead of N*C/2*H rows of W floats. Same elements, same order.
static void coalesce(Layout* ls[], int n) {
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

constexpr int64_t kParallelMin =
    1 << 15;  // below this many elements threads cost more than they save

// [SECTION] fill, copy_strided and accumulate_strided

// out [n] = value
void fill(float* out, int64_t n, float value) {
#pragma omp parallel for if (n > kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = value;
}

// out[out_layout] = x[x_layout]; both layouts have the same shape [d0..dn-1].
void copy_strided(float* out, const Layout& lo_in, const float* x, const Layout& lx_in) {
  int64_t n = numel_of(lx_in);
  if (n == 0) return;
  Layout lo = lo_in, lx = lx_in;
  if (lx.ndim > 0) {
    Layout* ls[] = {&lo, &lx};
    coalesce(ls, 2);
  }
  if (dense(lo) && dense(lx)) {
    std::memcpy(out, x, (size_t)n * sizeof(float));
    return;
  }
  if (lx.ndim == 0) {
    out[0] = x[0];
    return;
  }
  int64_t rows = rows_of(lx), len = lx.shape[lx.ndim - 1];
  int64_t so = lo.strides[lo.ndim - 1], sx = lx.strides[lx.ndim - 1];
#pragma omp parallel for if (n > kParallelMin) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + row_offset(lo, r);
    const float* xi = x + row_offset(lx, r);
    if (so == 1 && sx == 1)
      std::memcpy(o, xi, (size_t)len * sizeof(float));
    else
      for (int64_t i = 0; i < len; ++i) o[i * so] = xi[i * sx];
  }
}

// out[out_layout] += x[x_layout]; both layouts have the same shape [d0..dn-1]. Rows split
// across threads: each output element is written by one thread, in a fixed order.
void accumulate_strided(float* out, const Layout& lo_in, const float* x, const Layout& lx_in) {
  int64_t n = numel_of(lx_in);
  if (n == 0) return;
  Layout lo = lo_in, lx = lx_in;
  if (lx.ndim > 0) {
    Layout* ls[] = {&lo, &lx};
    coalesce(ls, 2);
  }
  if (dense(lo) && dense(lx)) {
#pragma omp parallel for if (n > kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] += x[i];
    return;
  }
  if (lx.ndim == 0) {
    out[0] += x[0];
    return;
  }
  int64_t rows = rows_of(lx), len = lx.shape[lx.ndim - 1];
  int64_t so = lo.strides[lo.ndim - 1], sx = lx.strides[lx.ndim - 1];
#pragma omp parallel for if (n > kParallelMin) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + row_offset(lo, r);
    const float* xi = x + row_offset(lx, r);
    if (so == 1 && sx == 1)
      for (int64_t i = 0; i < len; ++i) o[i] += xi[i];
    else
      for (int64_t i = 0; i < len; ++i) o[i * so] += xi[i * sx];
  }
}

// [SECTION] unary

static inline float apply(UnaryOp op, float v) {
  switch (op) {
    case UnaryOp::neg: return -v;
    case UnaryOp::relu: return v > 0.f ? v : 0.f;
    case UnaryOp::exp: return std::exp(v);
    case UnaryOp::log: return std::log(v);
    case UnaryOp::sqrt: return std::sqrt(v);
    case UnaryOp::abs: return std::fabs(v);
    case UnaryOp::sign: return (float)((v > 0.f) - (v < 0.f));
  }
  return v;
}

// out [n] = op(x [n]); the switch sits outside the loop so each case vectorizes.
void unary(UnaryOp op, float* out, const float* x, int64_t n) {
  // The pragma must stay on its own line inside the macro, so clang-format leaves this be.
  // clang-format off
#define SL_UNARY_CASE(OP)                                                   \
  case UnaryOp::OP:                                                         \
    _Pragma("omp parallel for if (n > kParallelMin) schedule(static)")     \
    for (int64_t i = 0; i < n; ++i) out[i] = apply(UnaryOp::OP, x[i]);      \
    return;
  switch (op) {
    // NOLINTNEXTLINE(bugprone-branch-clone): one macro, eight different ops
    SL_UNARY_CASE(neg) SL_UNARY_CASE(relu) SL_UNARY_CASE(exp) SL_UNARY_CASE(log)
    SL_UNARY_CASE(sqrt) SL_UNARY_CASE(abs) SL_UNARY_CASE(sign)
  }
#undef SL_UNARY_CASE
  // clang-format on
}

// [SECTION] binary

static inline float apply(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return std::pow(a, b);
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

template <BinaryOp OP>
static void binary_t(float* out, const float* a, const Layout& la_in, const float* b,
                     const Layout& lb_in) {
  int64_t n = numel_of(la_in);
  if (n == 0) return;
  Layout la = la_in, lb = lb_in, lo = la_in;  // lo: the contiguous output, coalesced alongside
  if (la.ndim > 0) {
    int64_t acc = 1;
    for (int d = lo.ndim - 1; d >= 0; --d) {
      lo.strides[d] = acc;
      acc *= lo.shape[d];
    }
    Layout* ls[] = {&lo, &la, &lb};
    coalesce(ls, 3);
  }
  if (dense(la) && dense(lb)) {  // same shape, both contiguous: one flat loop
#pragma omp parallel for if (n > kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] = apply(OP, a[i], b[i]);
    return;
  }
  if (la.ndim == 0) {
    out[0] = apply(OP, a[0], b[0]);
    return;
  }
  int64_t rows = rows_of(la), len = la.shape[la.ndim - 1];
  int64_t sa = la.strides[la.ndim - 1], sb = lb.strides[lb.ndim - 1];
#pragma omp parallel for if (n > kParallelMin) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* pa = a + row_offset(la, r);
    const float* pb = b + row_offset(lb, r);
    float* o = out + r * len;
    if (sa == 1 && sb == 1)
      for (int64_t i = 0; i < len; ++i) o[i] = apply(OP, pa[i], pb[i]);
    else if (sa == 1 && sb == 0)
      for (int64_t i = 0; i < len; ++i) o[i] = apply(OP, pa[i], pb[0]);
    else if (sa == 0 && sb == 1)
      for (int64_t i = 0; i < len; ++i) o[i] = apply(OP, pa[0], pb[i]);
    else
      for (int64_t i = 0; i < len; ++i) o[i] = apply(OP, pa[i * sa], pb[i * sb]);
  }
}

// out [shape] = a [shape via la] op b [shape via lb]; broadcast dims have stride 0.
void binary(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
            const Layout& lb) {
  switch (op) {
    case BinaryOp::add: return binary_t<BinaryOp::add>(out, a, la, b, lb);
    case BinaryOp::sub: return binary_t<BinaryOp::sub>(out, a, la, b, lb);
    case BinaryOp::mul: return binary_t<BinaryOp::mul>(out, a, la, b, lb);
    case BinaryOp::div: return binary_t<BinaryOp::div>(out, a, la, b, lb);
    case BinaryOp::pow: return binary_t<BinaryOp::pow>(out, a, la, b, lb);
    case BinaryOp::max: return binary_t<BinaryOp::max>(out, a, la, b, lb);
    case BinaryOp::eq: return binary_t<BinaryOp::eq>(out, a, la, b, lb);
    case BinaryOp::ne: return binary_t<BinaryOp::ne>(out, a, la, b, lb);
    case BinaryOp::lt: return binary_t<BinaryOp::lt>(out, a, la, b, lb);
    case BinaryOp::le: return binary_t<BinaryOp::le>(out, a, la, b, lb);
    case BinaryOp::gt: return binary_t<BinaryOp::gt>(out, a, la, b, lb);
    case BinaryOp::ge: return binary_t<BinaryOp::ge>(out, a, la, b, lb);
  }
}

// [SECTION] relu_backward

// dx [n] = x > 0 ? dout : 0
void relu_backward(float* dx, const float* dout, const float* x, int64_t n) {
#pragma omp parallel for if (n > kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.f ? dout[i] : 0.f;
}

// [SECTION] reference twins of copy_strided, accumulate_strided and binary

// Where element e (row-major flat index over l's shape) sits: sum over dims of index * stride.
static int64_t element_offset(const Layout& l, int64_t e) {
  int64_t off = 0;
  for (int d = l.ndim - 1; d >= 0; --d) {
    off += e % l.shape[d] * l.strides[d];
    e /= l.shape[d];
  }
  return off;
}

// out[out_layout] = x[x_layout], element by element, no coalescing and no fast path.
void copy_strided_reference(float* out, const Layout& lo, const float* x, const Layout& lx) {
  const int64_t n = numel_of(lx);
  for (int64_t e = 0; e < n; ++e) out[element_offset(lo, e)] = x[element_offset(lx, e)];
}

// out[out_layout] += x[x_layout], element by element.
void accumulate_strided_reference(float* out, const Layout& lo, const float* x, const Layout& lx) {
  const int64_t n = numel_of(lx);
  for (int64_t e = 0; e < n; ++e) out[element_offset(lo, e)] += x[element_offset(lx, e)];
}

// out [shape] (contiguous) = a [via la] op b [via lb], element by element.
void binary_reference(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
                      const Layout& lb) {
  const int64_t n = numel_of(la);
  for (int64_t e = 0; e < n; ++e)
    out[e] = apply(op, a[element_offset(la, e)], b[element_offset(lb, e)]);
}

}  // namespace sl::cpu
