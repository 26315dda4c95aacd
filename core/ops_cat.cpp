// core/ops_cat.cpp - concatenation along one dim. Each input is copied into its slice
// of the output with one strided copy; backward hands each input its narrow view of
// dout (no copy). Not here: split and chunk, which are views (core/tensor_views.cpp).
#include "core/internal.h"

namespace sl {

// xs[i] [.., C_i, ..] -> out [.., sum C_i, ..] along dim
Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  SL_CHECK(!xs.empty(), "cat: needs at least one tensor");
  const Tensor& x0 = xs[0];
  dim = wrap_dim(dim, x0.dim(), "cat");
  Shape out_shape = x0.shape();
  out_shape[dim] = 0;
  Shape sizes;  // one per input; a Shape keeps up to 6 inline
  for (const Tensor& x : xs) {
    check_same_device(x0, x, "cat");
    SL_CHECK(x.dim() == x0.dim(), "cat: tensor ", shape_str(x.shape()), " has ", x.dim(),
             " dims but the first has ", x0.dim(), " ", shape_str(x0.shape()));
    for (int64_t d = 0; d < x.dim(); ++d)
      SL_CHECK(d == dim || x.shape()[d] == x0.shape()[d], "cat: shapes ", shape_str(x0.shape()),
               " and ", shape_str(x.shape()), " differ outside dim ", dim);
    sizes.push_back(x.shape()[dim]);
    out_shape[dim] += x.shape()[dim];
  }
  Tensor out = Tensor::empty(out_shape, x0.device());
  int64_t start = 0;
  for (const Tensor& x : xs) {
    if (x.numel() > 0) {
      Layout lo = out.layout();  // out's slab [start, start + C_x) along dim
      lo.shape[dim] = x.shape()[dim];
      SL_KERNEL(x.device(), copy_strided)
      (out.data() + start * out.strides()[dim], lo, x.data(), x.layout());
    }
    start += x.shape()[dim];
  }
  record(out, "cat", xs, [sizes, dim](const Tensor& dout) {
    std::vector<Tensor> dxs;
    int64_t s = 0;
    for (int64_t n : sizes) {
      dxs.push_back(dout.narrow(dim, s, n));
      s += n;
    }
    return dxs;
  });
  return out;
}

}  // namespace sl
