// lessons/09_g2_g3/check.cpp - the checker of exercise 09: the learner's group_conv_mac
// against nn/cost's conv2d_mac on G2's shapes, and parallel_fragments against one
// sl::conv2d (output and both gradients) for 1, 2 and 4 fragments. Exit 0 solved, 1 wrong,
// 77 still the stub.
#include "lessons/09_g2_g3/exercise.h"

#include <cmath>

#include "lessons/check.h"
#include "nn/conv2d.h"
#include "nn/cost.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 09: group convolution's MAC, and fragments by hand\n");
  Checker check("exercise 09", "lessons/09_g2_g3/exercise.cpp");
  struct Mac {
    int64_t h, w, c1, c2, g;
  };
  for (const Mac m : {Mac{56, 56, 64, 64, 1}, Mac{56, 56, 90, 90, 2}, Mac{56, 56, 128, 128, 4},
                      Mac{56, 56, 184, 184, 8}, Mac{14, 7, 48, 96, 3}}) {
    const Conv2dShape s =
        conv2d_shape({1, m.c1, m.h, m.w}, {m.c2, m.c1 / m.g, 1, 1}, {.groups = m.g});
    const double B = double(conv2d_madds(s));
    check.run(str_cat("group_conv_mac(", m.h, ", ", m.w, ", c1 = ", m.c1, ", g = ", m.g,
                      ", B = ", (int64_t)B, ")"),
              [&]() -> std::string {
                const double got = group_conv_mac(m.h, m.w, m.c1, m.g, B);
                const double want = double(conv2d_mac(s));
                return std::fabs(got - want) < 1e-6 * want
                           ? ""
                           : str_cat("returned ", got, ", nn/cost's conv2d_mac gives ", want);
              });
  }
  Generator gen(90);
  for (int64_t n : {1, 2, 4}) {
    Tensor x = Tensor::randn({2, 8, 5, 5}, gen).requires_grad_();
    Tensor w = Tensor::randn({12, 8, 1, 1}, gen).requires_grad_();
    Tensor x2 = x.detach().clone().requires_grad_(), w2 = w.detach().clone().requires_grad_();
    const Tensor want = conv2d(x, w);
    const Tensor dout = Tensor::randn(want.shape(), gen);
    sum(mul(want, dout)).backward();
    check.run(str_cat("parallel_fragments(n = ", n, "), x [2, 8, 5, 5], w [12, 8, 1, 1]"),
              [&]() -> std::string {
                const Tensor got = parallel_fragments(x2, w2, n);
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
  return check.finish();
}
