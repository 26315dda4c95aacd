// core/tensor_views.cpp - views (new shape/strides/offset over the same storage, no
// data moves) and the two ops that do move data: contiguous() and clone(). Each
// view records a backward that maps dout back to the input's shape. Not here:
// ops that compute new values (core/ops_*.cpp).
//
// [SECTION] making a view
// [SECTION] view and reshape
// [SECTION] transpose and permute
// [SECTION] narrow, slice, chunk, split
// [SECTION] squeeze, unsqueeze, expand
// [SECTION] contiguous, clone, detach
#include <numeric>

#include "core/internal.h"

namespace sl {

// [SECTION] making a view

static Tensor make_view(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  auto impl = std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>{});  // no heap
  impl->storage = x.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  return Tensor(std::move(impl));
}

// [SECTION] view and reshape

static Shape infer_shape(const Shape& want, int64_t numel, const Shape& from, const char* op) {
  Shape out = want;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      SL_CHECK(infer < 0, op, ": only one -1 allowed in ", shape_str(want));
      infer = (int64_t)i;
    } else {
      SL_CHECK(out[i] >= 0, op, ": negative size in ", shape_str(want));
      known *= out[i];
    }
  }
  if (infer >= 0) {
    SL_CHECK(known > 0 && numel % known == 0, op, ": cannot view ", shape_str(from), " (", numel,
             " elements) as ", shape_str(want));
    out[infer] = numel / known;
    known *= out[infer];
  }
  SL_CHECK(known == numel, op, ": cannot view ", shape_str(from), " (", numel, " elements) as ",
           shape_str(want), " (", known, " elements)");
  return out;
}

// Strides for `shape` over x's memory without a copy, or empty when impossible.
// Walk x's dims in chunks that are contiguous with each other and match them
// against runs of the new shape with the same element count (PyTorch's rule).
static Shape view_strides(const Tensor& x, const Shape& shape) {
  const Shape& os = x.shape();
  const Shape& ost = x.strides();
  Shape st(shape.size());
  if (x.numel() == 0 || os.empty()) {
    int64_t acc = 1;
    for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
      st[i] = acc;
      acc *= shape[i];
    }
    return st;
  }
  int64_t view_d = (int64_t)shape.size() - 1;
  int64_t chunk_base_stride = ost.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = (int64_t)os.size() - 1; d >= 0; --d) {
    tensor_numel *= os[d];
    if (d == 0 || (os[d - 1] != 1 && ost[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        st[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return {};
      if (d > 0) {
        chunk_base_stride = ost[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return {};
  return st;
}

Tensor Tensor::view(const Shape& want) const {
  Shape shape = infer_shape(want, numel(), this->shape(), "view");
  Shape st = view_strides(*this, shape);
  SL_CHECK(!st.empty() || shape.empty(), "view: ", shape_str(this->shape()), " with strides ",
           shape_str(strides()), " cannot be viewed as ", shape_str(shape),
           " without a copy; call contiguous() first or use reshape()");
  Tensor out = make_view(*this, shape, st, offset());
  record(out, "view", {*this}, [in = this->shape()](const Tensor& dout) {
    return std::vector<Tensor>{dout.reshape(in)};
  });
  return out;
}

Tensor Tensor::reshape(const Shape& want) const {
  Shape shape = infer_shape(want, numel(), this->shape(), "reshape");
  if (!view_strides(*this, shape).empty() || shape.empty()) return view(shape);
  return contiguous().view(shape);
}

// [SECTION] transpose and permute

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = wrap_dim(d0, dim(), "transpose");
  d1 = wrap_dim(d1, dim(), "transpose");
  Shape sh = shape(), st = strides();
  std::swap(sh[d0], sh[d1]);
  std::swap(st[d0], st[d1]);
  Tensor out = make_view(*this, sh, st, offset());
  record(out, "transpose", {*this},
         [d0, d1](const Tensor& dout) { return std::vector<Tensor>{dout.transpose(d0, d1)}; });
  return out;
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  SL_CHECK((int64_t)dims.size() == dim(), "permute: ", dims.size(), " dims given for shape ",
           shape_str(shape()));
  Shape sh(dims.size()), st(dims.size());
  std::vector<int64_t> inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], dim(), "permute");
    SL_CHECK(inverse[d] < 0, "permute: dim ", d, " repeated in the permutation");
    inverse[d] = (int64_t)i;
    sh[i] = shape()[d];
    st[i] = strides()[d];
  }
  Tensor out = make_view(*this, sh, st, offset());
  record(out, "permute", {*this},
         [inverse](const Tensor& dout) { return std::vector<Tensor>{dout.permute(inverse)}; });
  return out;
}

// [SECTION] narrow, slice, chunk, split

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim(d, dim(), "narrow");
  SL_CHECK(start >= 0 && length >= 0 && start + length <= shape()[d], "narrow: [", start, ", ",
           start + length, ") is outside dim ", d, " of ", shape_str(shape()));
  Shape sh = shape();
  sh[d] = length;
  Tensor out = make_view(*this, sh, strides(), offset() + start * strides()[d]);
  record(out, "narrow", {*this}, [in = shape(), d, start, length](const Tensor& dout) {
    // dx is zero except for the narrowed slice, which receives dout.
    std::vector<Tensor> parts;
    if (start > 0) {
      Shape s = in;
      s[d] = start;
      parts.push_back(Tensor::zeros(s, dout.device()));
    }
    parts.push_back(dout);
    if (start + length < in[d]) {
      Shape s = in;
      s[d] = in[d] - start - length;
      parts.push_back(Tensor::zeros(s, dout.device()));
    }
    return std::vector<Tensor>{parts.size() == 1 ? dout : cat(parts, d)};
  });
  if (out.impl()->node) {  // the engine's fast path: accumulate into the slice (autograd.cpp)
    out.impl()->node->narrow_dim = d;
    out.impl()->node->narrow_start = start;
  }
  return out;
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end) const {
  d = wrap_dim(d, dim(), "slice");
  SL_CHECK(start <= end, "slice: start ", start, " is after end ", end);
  return narrow(d, start, end - start);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  d = wrap_dim(d, dim(), "split");
  SL_CHECK(split_size > 0, "split: split_size must be positive, got ", split_size);
  std::vector<Tensor> out;
  for (int64_t s = 0; s < shape()[d]; s += split_size)
    out.push_back(narrow(d, s, std::min(split_size, shape()[d] - s)));
  return out;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  d = wrap_dim(d, dim(), "chunk");
  SL_CHECK(chunks > 0, "chunk: chunks must be positive, got ", chunks);
  return split((shape()[d] + chunks - 1) / chunks, d);
}

// [SECTION] squeeze, unsqueeze, expand

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  SL_CHECK(shape()[d] == 1, "squeeze: dim ", d, " of ", shape_str(shape()), " has size ",
           shape()[d], ", not 1");
  Shape sh = shape(), st = strides();
  sh.erase(sh.begin() + d);
  st.erase(st.begin() + d);
  Tensor out = make_view(*this, sh, st, offset());
  record(out, "squeeze", {*this},
         [d](const Tensor& dout) { return std::vector<Tensor>{dout.unsqueeze(d)}; });
  return out;
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape sh = shape(), st = strides();
  int64_t stride = d < dim() ? shape()[d] * strides()[d] : 1;
  sh.insert(sh.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  Tensor out = make_view(*this, sh, st, offset());
  record(out, "unsqueeze", {*this},
         [d](const Tensor& dout) { return std::vector<Tensor>{dout.squeeze(d)}; });
  return out;
}

Tensor Tensor::expand(const Shape& want) const {
  SL_CHECK(want.size() >= shape().size(), "expand: cannot expand ", shape_str(shape()), " to ",
           shape_str(want), " (fewer dims)");
  size_t lead = want.size() - shape().size();
  Shape sh(want.size()), st(want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    int64_t src = i < lead ? 1 : shape()[i - lead];
    int64_t src_st = i < lead ? 0 : strides()[i - lead];
    int64_t w = want[i] == -1 ? src : want[i];
    SL_CHECK(src == w || src == 1, "expand: cannot expand ", shape_str(shape()), " to ",
             shape_str(want), " (dim ", i, ": ", src, " vs ", w, ")");
    sh[i] = w;
    st[i] = (src == w) ? src_st : 0;
  }
  Tensor out = make_view(*this, sh, st, offset());
  record(out, "expand", {*this},
         [in = shape()](const Tensor& dout) { return std::vector<Tensor>{sum_to(dout, in)}; });
  return out;
}

// [SECTION] contiguous, clone, detach

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape(), device());
  if (numel() > 0) {
    SL_KERNEL(device(), copy_strided)(out.data(), out.layout(), data(), layout());
  }
  record(out, "clone", {*this}, [](const Tensor& dout) { return std::vector<Tensor>{dout}; });
  return out;
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  count_copy(numel() * (int64_t)sizeof(float));
  return clone();
}

Tensor Tensor::detach() const {
  SL_CHECK(defined(), "detach: undefined tensor");
  auto impl = std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>{});
  impl->storage = impl_->storage;
  impl->shape = shape();
  impl->strides = strides();
  impl->offset = offset();
  return Tensor(std::move(impl));
}

}  // namespace sl
