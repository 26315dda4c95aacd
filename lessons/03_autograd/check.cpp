// lessons/03_autograd/check.cpp - the checker of exercise 03: runs the learner's sigmoid_op
// (lessons/03_autograd/exercise.cpp, or the reference in solution/) and compares its value
// with the composition 1 / (1 + exp(-x)), its graph with one "sigmoid" Node, and its
// gradient with the composition's autograd and with finite differences.
// Exit 0 solved, 1 wrong, 77 still the stub. Built twice by lessons/CMakeLists.txt.
#include <cmath>

#include "lessons/03_autograd/exercise.h"
#include "lessons/check.h"

using namespace sl;
using lesson::Checker;

static Tensor composed(const Tensor& x) { return div(scalar(1.f), add(scalar(1.f), exp(neg(x)))); }

int main() {
  std::printf("exercise 03: a new op with its own backward\n");
  Checker check("exercise 03", "lessons/03_autograd/exercise.cpp");
  Generator gen(3);
  const Tensor x0 = Tensor::randn({2, 3, 4}, gen, 0.f, 2.f);

  check.run("forward equals 1 / (1 + exp(-x))", [&] {
    NoGradGuard no_grad;
    return Checker::same(sigmoid_op(x0), composed(x0), 1e-5);
  });
  check.run("forward on a transposed (non-contiguous) view", [&] {
    NoGradGuard no_grad;
    const Tensor t = x0.transpose(0, 2);
    return Checker::same(sigmoid_op(t), composed(t), 1e-5);
  });
  check.run("one Node named \"sigmoid\" whose only input is x", [&]() -> std::string {
    Tensor x = x0.detach().requires_grad_();
    const Tensor y = sigmoid_op(x);
    const Node* n = y.impl()->node.get();
    if (!n) return "the output has no Node: call sl::record(out, \"sigmoid\", {x}, backward)";
    if (std::string(n->op) != "sigmoid") return str_cat("the Node is named \"", n->op, "\"");
    if (n->inputs.size() != 1 || n->inputs[0].impl() != x.impl())
      return str_cat("the Node has ", n->inputs.size(), " inputs; pass exactly {x} to sl::record");
    return "";
  });
  check.run("no Node when x does not require grad", [&]() -> std::string {
    return sigmoid_op(x0).impl()->node
               ? "record() attaches history only when an input requires grad; do not "
                 "set it yourself"
               : "";
  });
  check.run("gradient equals the composition's autograd", [&]() -> std::string {
    Tensor x = x0.detach().requires_grad_();
    Tensor x2 = x0.detach().requires_grad_();
    const Tensor r = Tensor::randn(x0.shape(), gen);
    sum(mul(sigmoid_op(x), r)).backward();
    sum(mul(composed(x2), r)).backward();
    if (!x.grad().defined())
      return "x.grad() is undefined after backward: did the backward return {dx}?";
    return Checker::same(x.grad(), x2.grad(), 1e-5);
  });
  check.run("gradient agrees with finite differences", [&]() -> std::string {
    Tensor x = Tensor::from_data({-3.f, -0.5f, 0.f, 0.7f, 2.5f}, {5}).requires_grad_();
    sum(sigmoid_op(x)).backward();
    if (!x.grad().defined()) return "x.grad() is undefined after backward";
    const float eps = 1e-2f;
    for (int64_t i = 0; i < 5; ++i) {
      const float v = x.at({i});
      const double numeric =
          (1 / (1 + std::exp(-(double)v - eps)) - 1 / (1 + std::exp(-(double)v + eps))) / (2 * eps);
      const double got = x.grad().at({i});
      if (std::fabs(got - numeric) > 1e-4)
        return str_cat("at x = ", v, " dx is ", got, ", finite differences give ", numeric);
    }
    return std::string();
  });
  return check.finish();
}
