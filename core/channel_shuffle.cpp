// core/channel_shuffle.cpp - channel shuffle, the ShuffleNet op. Its definition, and the
// oracle every test holds it to, is channel_shuffle_reference: the composition the papers
// describe, views and one copy:
//   x [N, C, H, W] -view-> [N, G, C/G, H, W] -transpose(1,2)-> [N, C/G, G, H, W]
//   -contiguous-> (the only data movement) -view-> [N, C, H, W]
// Output channel j = i_inner*G + i_group takes input channel i = i_group*(C/G) + i_inner.
// channel_shuffle itself does the same permutation in one pass of the backend's kernel
// (core/cpu/channel_shuffle.cpp, core/cuda/channel_shuffle.cu); its backward is the inverse
// permutation, a shuffle with C/G groups. cat_shuffle fuses the concatenation before the
// shuffle (a V2 unit's two branches): reference cat then channel_shuffle, fast one kernel
// pass each way. Not here: the loops.
#include "core/internal.h"

namespace sl {

namespace {

void check_shuffle(const Tensor& x, int64_t groups, const char* op) {
  SL_CHECK(x.dim() == 4, op, ": x must be [N, C, H, W], got ", shape_str(x.shape()));
  SL_CHECK(groups >= 1, op, ": groups g = ", groups, " must be at least 1");
  SL_CHECK(x.size(1) % groups == 0, op, ": channels C = ", x.size(1),
           " is not divisible by groups g = ", groups, " (choose g among the divisors of C)");
}

// x [N, C, H, W] -> out [N, C, H, W], the permutation in one pass (no autograd).
Tensor shuffle_pass(const Tensor& x, int64_t groups) {
  const ShuffleShape s{x.size(0), x.size(1), groups, x.size(2) * x.size(3)};
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), x.device());
  if (out.numel() > 0) SL_KERNEL(x.device(), channel_shuffle)(out.data(), xc.data(), s);
  return out;
}

}  // namespace

Tensor channel_shuffle_reference(const Tensor& x, int64_t groups) {
  check_shuffle(x, groups, "channel_shuffle_reference");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  return x
      .view({N, groups, C / groups, H, W})  // the same memory, seen as G groups
      .transpose(1, 2)                      // swap strides: nothing moves yet
      .contiguous()                         // the copy: channels land in their new places
      .view({N, C, H, W});                  // flatten back to C channels
}

// x [N, C, H, W] -> [N, C, H, W]
Tensor channel_shuffle(const Tensor& x, int64_t groups) {
  check_shuffle(x, groups, "channel_shuffle");
  Tensor out = shuffle_pass(x, groups);
  // The transpose of a [G, C/G] grid is undone by the transpose of the [C/G, G] grid.
  const int64_t inverse_groups = x.size(1) / groups;
  record(out, "channel_shuffle", {x}, [=](const Tensor& dout) -> std::vector<Tensor> {
    return {shuffle_pass(dout, inverse_groups)};
  });
  return out;
}

// [SECTION] cat_shuffle: concat + channel shuffle in one copy

Tensor cat_shuffle_reference(const Tensor& a, const Tensor& b, int64_t groups) {
  return channel_shuffle_reference(cat({a, b}, 1), groups);
}

// a [N, C_a, H, W], b [N, C_b, H, W] -> out [N, C_a + C_b, H, W]
Tensor cat_shuffle(const Tensor& a, const Tensor& b, int64_t groups) {
  check_same_device(a, b, "cat_shuffle");
  SL_CHECK(a.dim() == 4 && b.dim() == 4 && a.size(0) == b.size(0) && a.size(2) == b.size(2) &&
               a.size(3) == b.size(3),
           "cat_shuffle: a and b must be [N, C_a, H, W] and [N, C_b, H, W], got ",
           shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t C = a.size(1) + b.size(1);
  SL_CHECK(groups >= 1 && C % groups == 0, "cat_shuffle: channels C = ", a.size(1), " + ",
           b.size(1), " = ", C, " are not divisible by groups g = ", groups,
           " (choose g among the divisors of C)");
  const Device dev = a.device();
  const Backend& be = backend(dev);
  if (be.cat_shuffle == nullptr || be.cat_shuffle_backward == nullptr)
    return channel_shuffle(cat({a, b}, 1), groups);  // this backend has no fused kernel
  // A channel slice (the left half of a V2 unit, a narrow of the previous output) is read in
  // place: only the image stride differs from a dense tensor.
  const auto planes = [](const Tensor& t) {
    const Shape& st = t.strides();
    return st[3] == 1 && st[2] == t.size(3) && st[1] == t.size(2) * t.size(3) ? t : t.contiguous();
  };
  const Tensor ac = planes(a), bc = planes(b);
  const CatShuffleShape s{a.size(0),       a.size(1),      b.size(1), groups, a.size(2) * a.size(3),
                          ac.strides()[0], bc.strides()[0]};
  Tensor out = Tensor::empty({s.N, C, a.size(2), a.size(3)}, dev);
  if (out.numel() > 0) SL_KERNEL(dev, cat_shuffle)(out.data(), ac.data(), bc.data(), s);
  record(out, "cat_shuffle", {a, b},
         [s = CatShuffleShape{s.N, s.C_a, s.C_b, s.G, s.HW}, sa = a.shape(),
          sb = b.shape()](const Tensor& dout) -> std::vector<Tensor> {
           const Tensor d = dout.contiguous();
           Tensor da = Tensor::empty(sa, d.device()), db = Tensor::empty(sb, d.device());
           if (d.numel() > 0)
             SL_KERNEL(d.device(), cat_shuffle_backward)(da.data(), db.data(), d.data(), s);
           return {da, db};
         });
  return out;
}

}  // namespace sl
