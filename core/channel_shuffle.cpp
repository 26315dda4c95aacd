// core/channel_shuffle.cpp - channel shuffle written exactly as the ShuffleNet papers
// describe it, as a composition of views and one copy:
//   x [N, C, H, W] -view-> [N, G, C/G, H, W] -transpose(1,2)-> [N, C/G, G, H, W]
//   -contiguous-> (the only data movement) -view-> [N, C, H, W]
// Output channel j = i_inner*G + i_group takes input channel i = i_group*(C/G) + i_inner.
// Autograd comes for free from the views. Not here: the one-pass kernel version
// (core/cpu/channel_shuffle.cpp, wrapped by nn/shuffle.cpp), which tests hold to this.
#include "core/tensor.h"

namespace sl {

Tensor channel_shuffle(const Tensor& x, int64_t groups) {
  SL_CHECK(x.dim() == 4, "channel_shuffle: x must be [N, C, H, W], got ", shape_str(x.shape()));
  int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  SL_CHECK(groups >= 1, "channel_shuffle: groups g = ", groups, " must be at least 1");
  SL_CHECK(C % groups == 0, "channel_shuffle: channels C = ", C, " is not divisible by groups g = ",
           groups, " (choose g among the divisors of C)");
  return x.view({N, groups, C / groups, H, W})   // the same memory, seen as G groups
      .transpose(1, 2)                            // swap strides: nothing moves yet
      .contiguous()                               // the copy: channels land in their new places
      .view({N, C, H, W});                        // flatten back to C channels
}

}  // namespace sl
