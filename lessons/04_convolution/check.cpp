// lessons/04_convolution/check.cpp - the checker of exercise 04: runs the learner's
// conv2d_forward_by_hand and conv2d_weight_grad_by_hand (lessons/04_convolution/exercise.cpp,
// or the reference in solution/) on standard, strided, padded, group and depthwise cases
// and compares with sl::conv2d and autograd's w.grad(). Exit 0 solved, 1 wrong, 77 stub.
#include "lessons/check.h"
#include "lessons/04_convolution/exercise.h"

using namespace sl;
using lesson::Checker;

int main() {
  std::printf("exercise 04: convolution by hand\n");
  Checker check("exercise 04", "lessons/04_convolution/exercise.cpp");
  struct Case {
    const char* name;
    Shape x, w;
    Conv2dParams p;
  };
  const std::vector<Case> cases = {
      {"1x1, 3 -> 4 channels", {1, 3, 4, 4}, {4, 3, 1, 1}, {}},
      {"3x3, padding 1", {2, 2, 5, 5}, {3, 2, 3, 3}, {.padding = 1}},
      {"3x3, stride 2, padding 1, odd size",
       {1, 2, 7, 6},
       {2, 2, 3, 3},
       {.stride = 2, .padding = 1}},
      {"1x1 group conv, G = 2", {1, 4, 3, 3}, {6, 2, 1, 1}, {.groups = 2}},
      {"3x3 depthwise, G = C = 4, stride 2",
       {2, 4, 6, 6},
       {4, 1, 3, 3},
       {.stride = 2, .padding = 1, .groups = 4}},
  };
  Generator gen(40);
  for (const Case& c : cases) {
    Tensor x = Tensor::randn(c.x, gen).requires_grad_();
    Tensor w = Tensor::randn(c.w, gen).requires_grad_();
    const Tensor y = conv2d(x, w, c.p);
    const Tensor dout = Tensor::randn(y.shape(), gen);
    sum(mul(y, dout)).backward();
    const std::string where =
        str_cat(" [", c.name, ": x ", shape_str(c.x), ", w ", shape_str(c.w), "]");
    check.run("forward" + where, [&] {
      NoGradGuard no_grad;
      return Checker::same(conv2d_forward_by_hand(x.detach(), w.detach(), c.p), y.detach(), 1e-4);
    });
    check.run("weight gradient" + where, [&] {
      NoGradGuard no_grad;
      return Checker::same(conv2d_weight_grad_by_hand(x.detach(), dout, c.w, c.p), w.grad(), 1e-4);
    });
  }
  return check.finish();
}
