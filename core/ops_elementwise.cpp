// core/ops_elementwise.cpp - element-wise ops with NumPy broadcasting, each forward
// followed by its backward. Broadcast inputs are read through stride-0 layouts, never
// materialised; backward folds the gradient back with sum_to. Kernels: core/cpu/
// elementwise.cpp. Not here: reductions (core/ops_reduce.cpp).
//
// [SECTION] broadcasting
// [SECTION] binary ops: add sub mul div maximum pow
// [SECTION] unary ops: neg relu exp log sqrt abs
// [SECTION] comparisons (no gradient)
// [SECTION] operators
#include "core/internal.h"

namespace sl {

// [SECTION] broadcasting

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    SL_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
             " cannot be broadcast (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// x's layout stretched to `shape`: new leading dims and size-1 dims get stride 0.
static Layout broadcast_layout(const Tensor& x, const Shape& shape) {
  Layout l;
  l.ndim = (int)shape.size();
  size_t lead = shape.size() - x.shape().size();
  for (size_t i = 0; i < shape.size(); ++i) {
    l.shape[i] = shape[i];
    bool real = i >= lead && x.shape()[i - lead] == shape[i];
    l.strides[i] = real ? x.strides()[i - lead] : 0;
  }
  return l;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  size_t lead = x.shape().size() - shape.size();
  Shape dims;  // inline: no heap
  for (size_t i = 0; i < x.shape().size(); ++i)
    if (i < lead || (shape[i - lead] == 1 && x.shape()[i] != 1)) dims.push_back((int64_t)i);
  return sum(x, dims, true).reshape(shape);
}

static Tensor binary_forward(BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  check_same_device(a, b, name);
  Shape s = broadcast_shape(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(s, a.device());
  if (out.numel() == 0) return out;
  SL_KERNEL(a.device(), binary)
  (op, out.data(), a.data(), broadcast_layout(a, s), b.data(), broadcast_layout(b, s));
  return out;
}

// [SECTION] binary ops: add sub mul div maximum pow

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::add, a, b, "add");
  record(out, "add", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& dout) {
    return std::vector<Tensor>{sum_to(dout, sa), sum_to(dout, sb)};
  });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::sub, a, b, "sub");
  record(out, "sub", {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& dout) {
    return std::vector<Tensor>{sum_to(dout, sa), sum_to(neg(dout), sb)};
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::mul, a, b, "mul");
  record(out, "mul", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& dout) {
    return std::vector<Tensor>{sum_to(mul(dout, b), a.shape()), sum_to(mul(dout, a), b.shape())};
  });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::div, a, b, "div");
  record(out, "div", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& dout) {
    Tensor da = div(dout, b);             // d(a/b)/da = 1/b
    Tensor db = neg(mul(da, div(a, b)));  // d(a/b)/db = -a/b^2
    return std::vector<Tensor>{sum_to(da, a.shape()), sum_to(db, b.shape())};
  });
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::max, a, b, "maximum");
  record(out, "maximum", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& dout) {
    Tensor pick_a = ge(a, b);  // ties go to a
    return std::vector<Tensor>{sum_to(mul(dout, pick_a), a.shape()),
                               sum_to(mul(dout, sub(scalar(1.f, dout.device()), pick_a)),
                                      b.shape())};
  });
  return out;
}

Tensor pow(const Tensor& a, float p) {
  Tensor out = binary_forward(BinaryOp::pow, a, scalar(p, a.device()), "pow");
  record(out, "pow", {a}, [a = a.detach(), p](const Tensor& dout) {
    return std::vector<Tensor>{mul(dout, mul(pow(a, p - 1.f), scalar(p, a.device())))};
  });
  return out;
}

// [SECTION] unary ops: neg relu exp log sqrt abs

static Tensor unary_forward(UnaryOp op, const Tensor& x) {
  Tensor xc = x.is_contiguous() ? x : x.clone();
  Tensor out = Tensor::empty(x.shape(), x.device());
  if (out.numel() > 0) SL_KERNEL(x.device(), unary)(op, out.data(), xc.data(), out.numel());
  return out;
}

Tensor neg(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::neg, x);
  record(out, "neg", {x}, [](const Tensor& dout) { return std::vector<Tensor>{neg(dout)}; });
  return out;
}

Tensor relu(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::relu, x);
  // dx = dout where x > 0, else 0: one pass of the relu_backward kernel.
  record(out, "relu", {x}, [xc = x.detach().contiguous()](const Tensor& dout) {
    const Tensor d = dout.contiguous();
    Tensor dx = Tensor::empty(d.shape(), d.device());
    if (dx.numel() > 0)
      SL_KERNEL(d.device(), relu_backward)(dx.data(), d.data(), xc.data(), dx.numel());
    return std::vector<Tensor>{dx};
  });
  return out;
}

Tensor exp(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::exp, x);
  record(out, "exp", {x}, [y = out.detach()](const Tensor& dout) {
    return std::vector<Tensor>{mul(dout, y)};  // d e^x = e^x
  });
  return out;
}

Tensor log(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::log, x);
  record(out, "log", {x},
         [x = x.detach()](const Tensor& dout) { return std::vector<Tensor>{div(dout, x)}; });
  return out;
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::sqrt, x);
  record(out, "sqrt", {x}, [y = out.detach()](const Tensor& dout) {
    return std::vector<Tensor>{div(mul(dout, scalar(0.5f, dout.device())), y)};  // 1/(2 sqrt x)
  });
  return out;
}

Tensor abs(const Tensor& x) {
  Tensor out = unary_forward(UnaryOp::abs, x);
  record(out, "abs", {x}, [x = x.detach()](const Tensor& dout) {
    return std::vector<Tensor>{mul(dout, unary_forward(UnaryOp::sign, x))};
  });
  return out;
}

// [SECTION] comparisons (no gradient)

Tensor eq(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::ge, a, b, "ge"); }

Tensor scalar(float v, Device d) { return Tensor::full({}, v, d); }

// [SECTION] operators

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, float b) { return add(a, scalar(b, a.device())); }
Tensor operator-(const Tensor& a, float b) { return sub(a, scalar(b, a.device())); }
Tensor operator*(const Tensor& a, float b) { return mul(a, scalar(b, a.device())); }
Tensor operator/(const Tensor& a, float b) { return div(a, scalar(b, a.device())); }
Tensor operator*(float a, const Tensor& b) { return mul(scalar(a, b.device()), b); }

}  // namespace sl
