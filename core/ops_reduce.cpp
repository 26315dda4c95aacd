// core/ops_reduce.cpp - sum, mean, max and argmax over chosen dims, with keepdim.
// A reduction over several dims runs as one kernel call per dim, last dim first,
// each over a contiguous [outer, n, inner] view. Kernel: core/cpu/reduce.cpp.
// Not here: broadcasting's inverse sum_to (core/ops_elementwise.cpp), which uses sum.
#include <algorithm>

#include "core/internal.h"

namespace sl {

static Shape normalize_dims(const Shape& dims, int64_t ndim, const char* op) {
  Shape out;
  if (dims.empty())
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
  for (int64_t d : dims) out.push_back(wrap_dim(d, ndim, op));
  std::sort(out.begin(), out.end());
  SL_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op, ": a dim is repeated");
  return out;
}

// One kernel call: x contiguous, reduce dim d, keep it as size 1.
static Tensor reduce_one(ReduceOp op, const Tensor& x, int64_t d) {
  Shape s = x.shape();
  ReduceShape rs{1, s[d], 1};
  for (int64_t i = 0; i < d; ++i) rs.outer *= s[i];
  for (int64_t i = d + 1; i < (int64_t)s.size(); ++i) rs.inner *= s[i];
  s[d] = 1;
  Tensor out = Tensor::empty(s, x.device());
  if (rs.n == 0)
    SL_KERNEL(x.device(), fill)(out.data(), out.numel(), 0.f);
  else if (out.numel() > 0)
    SL_KERNEL(x.device(), reduce)(op, out.data(), x.data(), rs);
  return out;
}

static Shape drop_dims(Shape s, const Shape& dims) {
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) s.erase(s.begin() + *it);
  return s;
}

Tensor sum(const Tensor& x, const Shape& dims_in, bool keepdim) {
  Shape dims = normalize_dims(dims_in, x.dim(), "sum");
  Tensor out = x.is_contiguous() ? x.detach() : x.clone().detach();
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) out = reduce_one(ReduceOp::sum, out, *it);
  if (!keepdim) out = out.view(drop_dims(out.shape(), dims));
  if (out.shares_storage(x)) out = out.clone();  // sum over no elements' worth of dims: own buffer
  record(out, "sum", {x}, [in = x.shape(), dims](const Tensor& dout) {
    Shape kept = in;
    for (int64_t d : dims) kept[d] = 1;
    return std::vector<Tensor>{dout.reshape(kept).expand(in)};
  });
  return out;
}

Tensor mean(const Tensor& x, const Shape& dims_in, bool keepdim) {
  Shape dims = normalize_dims(dims_in, x.dim(), "mean");
  int64_t count = 1;
  for (int64_t d : dims) count *= x.shape()[d];
  SL_CHECK(count > 0, "mean: reducing ", shape_str(x.shape()), " over an empty dim");
  return sum(x, dims, keepdim) / (float)count;
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, x.dim(), "argmax");
  SL_CHECK(x.shape()[dim] > 0, "argmax: dim ", dim, " of ", shape_str(x.shape()), " is empty");
  Tensor out = reduce_one(ReduceOp::argmax, x.contiguous().detach(), dim);
  return keepdim ? out : out.view(drop_dims(out.shape(), {dim}));
}

Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, x.dim(), "max");
  SL_CHECK(x.shape()[dim] > 0, "max: dim ", dim, " of ", shape_str(x.shape()), " is empty");
  Tensor xc = x.is_contiguous() ? x.detach() : x.clone().detach();
  Tensor out = reduce_one(ReduceOp::max, xc, dim);
  if (!keepdim) out = out.view(drop_dims(out.shape(), {dim}));
  record(out, "max", {x}, [xc, dim](const Tensor& dout) {
    // The gradient goes to the first position holding the max (the argmax).
    Shape line(xc.dim(), 1);
    line[dim] = xc.shape()[dim];
    Tensor idx = Tensor::arange(xc.shape()[dim], xc.device()).view(line);
    Tensor onehot = eq(idx, reduce_one(ReduceOp::argmax, xc, dim));
    Shape kept = xc.shape();
    kept[dim] = 1;
    return std::vector<Tensor>{mul(onehot, dout.reshape(kept))};
  });
  return out;
}

}  // namespace sl
