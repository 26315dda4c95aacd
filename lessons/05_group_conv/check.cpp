// lessons/05_group_conv/check.cpp - the checker of exercise 05: runs the learner's
// group_conv_by_split (value and gradients against sl::conv2d with groups) and
// shufflenet_unit_madds (against multiply-adds measured by nn/cost on the real layers,
// lessons/05_group_conv/units.h). Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/check.h"
#include "lessons/05_group_conv/exercise.h"
#include "lessons/05_group_conv/units.h"

using namespace sl;
using lesson::Checker;

int main() {
  std::printf("exercise 05: group convolution by splitting, and the unit's cost\n");
  Checker check("exercise 05", "lessons/05_group_conv/exercise.cpp");
  struct Case {
    const char* name;
    Shape x, w;
    Conv2dParams p;
  };
  const std::vector<Case> cases = {
      {"1x1, G = 3", {2, 6, 4, 4}, {9, 2, 1, 1}, {.groups = 3}},
      {"3x3, G = 2, stride 2, padding 1",
       {1, 4, 7, 7},
       {4, 2, 3, 3},
       {.stride = 2, .padding = 1, .groups = 2}},
      {"3x3 depthwise, G = C = 5", {1, 5, 5, 5}, {5, 1, 3, 3}, {.padding = 1, .groups = 5}},
      {"G = 1 (one group is an ordinary conv)", {1, 3, 4, 4}, {2, 3, 3, 3}, {}},
  };
  Generator gen(50);
  for (const Case& c : cases) {
    Tensor x = Tensor::randn(c.x, gen).requires_grad_(),
           w = Tensor::randn(c.w, gen).requires_grad_();
    Tensor x2 = x.detach().clone().requires_grad_(), w2 = w.detach().clone().requires_grad_();
    const Tensor want = conv2d(x, w, c.p);
    const Tensor dout = Tensor::randn(want.shape(), gen);
    sum(mul(want, dout)).backward();
    check.run(str_cat("group_conv_by_split [", c.name, "]"), [&]() -> std::string {
      const Tensor got = group_conv_by_split(x2, w2, c.p);
      std::string wrong = Checker::same(got, want.detach(), 1e-4);
      if (!wrong.empty()) return "output: " + wrong;
      if (!got.requires_grad())
        return "the output has no gradient history: build it from narrow, conv2d and cat";
      sum(mul(got, dout)).backward();
      wrong = Checker::same(x2.grad(), x.grad(), 1e-4);
      if (!wrong.empty()) return "dx: " + wrong;
      wrong = Checker::same(w2.grad(), w.grad(), 1e-4);
      return wrong.empty() ? "" : "dw: " + wrong;
    });
  }
  struct Unit {
    int64_t hw, c, m, g;
  };
  for (const Unit u :
       {Unit{28, 240, 60, 3}, Unit{14, 544, 136, 4}, Unit{7, 1536, 384, 8}, Unit{10, 48, 12, 1}}) {
    check.run(str_cat("shufflenet_unit_madds(h = w = ", u.hw, ", c = ", u.c, ", m = ", u.m,
                      ", g = ", u.g, ")"),
              [&]() -> std::string {
                const int64_t got = shufflenet_unit_madds(u.hw, u.hw, u.c, u.m, u.g);
                const int64_t want =
                    lesson::measure(u.c, u.hw, lesson::bottleneck(u.c, u.m, u.g, u.m)).madds;
                return got == want ? ""
                                   : str_cat("returned ", got, ", nn/cost measured ", want,
                                             " multiply-adds");
              });
  }
  return check.finish();
}
