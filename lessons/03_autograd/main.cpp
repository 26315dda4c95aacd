// lessons/03_autograd/main.cpp - the lesson's program: builds a small graph, prints its
// nodes in topological order, runs backward twice (the library's Tensor::backward and a
// from-scratch 25-line engine over the same Nodes), shows how gradients accumulate,
// and checks the backward of every op used so far against finite differences.
// Exit 1 if a claim fails. Not a test suite: tests/core/test_ops.cpp is.
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "core/tensor.h"
#include "lessons/check.h"

using namespace sl;
using lesson::claim;

// [SECTION] the graph, by hand -----------------------------------------------------------
// Post-order DFS from `root`: every tensor comes after all the tensors it was made from.
static void topo(const Tensor& t, std::set<TensorImpl*>& seen, std::vector<Tensor>& order) {
  if (!seen.insert(t.impl()).second) return;
  if (t.impl()->node)
    for (const Tensor& in : t.impl()->node->inputs)
      if (in.requires_grad()) topo(in, seen, order);
  order.push_back(t);
}

// Reverse-mode autodiff from scratch: walk the order backwards, hand each tensor's summed
// gradient to its Node's backward lambda, and add what comes out into the inputs' slots.
static std::map<TensorImpl*, Tensor> my_backward(const Tensor& root) {
  std::set<TensorImpl*> seen;
  std::vector<Tensor> order;
  topo(root, seen, order);
  std::map<TensorImpl*, Tensor> grad;
  grad[root.impl()] = Tensor::ones(root.shape());
  NoGradGuard no_grad;  // the backward pass itself builds no graph
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node* node = it->impl()->node.get();
    if (!node) continue;  // a leaf: its gradient stays in the map
    const std::vector<Tensor> d = node->backward(grad.at(it->impl()));
    for (size_t i = 0; i < d.size(); ++i) {
      const Tensor& in = node->inputs[i];
      if (!d[i].defined() || !in.requires_grad()) continue;
      auto [slot, fresh] = grad.try_emplace(in.impl(), d[i]);
      if (!fresh) slot->second = add(slot->second, d[i]);  // used twice: gradients add up
    }
  }
  return grad;
}

// [SECTION] finite differences ------------------------------------------------------------
// Inputs away from 0 (relu has a kink there), deterministic.
static Tensor leaf(const Shape& s, uint64_t seed) {
  Generator gen(seed);
  Tensor t = Tensor::uniform(s, gen, 0.2f, 1.f);
  std::vector<float> v = t.to_vector();
  for (float& x : v) x = gen.uniform() < 0.5f ? -x : x;
  return Tensor::from_data(v, s).requires_grad_();
}

// Compares d(sum(f(xs) * r))/dxs from backward with central differences
// (L(x + eps) - L(x - eps)) / 2eps, element by element; returns the worst relative error.
static double gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                        std::vector<Tensor> xs) {
  Generator gen(7);
  const Tensor out = f(xs);
  const Tensor r = Tensor::randn(out.shape(), gen);  // a random dout, so no symmetry hides a bug
  for (Tensor& x : xs) x.zero_grad();
  sum(mul(out, r)).backward();
  double worst = 0;
  const float eps = 1e-2f;
  NoGradGuard no_grad;
  for (Tensor& x : xs) {
    const std::vector<float> analytic = x.grad().to_vector();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float keep = x.data()[i];
      x.data()[i] = keep + eps;
      const double up = sum(mul(f(xs), r)).item();
      x.data()[i] = keep - eps;
      const double down = sum(mul(f(xs), r)).item();
      x.data()[i] = keep;
      const double numeric = (up - down) / (2 * eps);
      worst = std::max(worst, std::fabs(numeric - analytic[i]) / (1.0 + std::fabs(numeric)));
    }
  }
  return worst;
}

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("1. a graph: loss = sum(relu(x * w + b)), x (2,3), w (2,3), b (3)\n");
  Tensor x = leaf({2, 3}, 1), w = leaf({2, 3}, 2), b = leaf({3}, 3);
  const Tensor pre = add(mul(x, w), b);  // b broadcasts over the rows
  const Tensor loss = sum(relu(pre));
  std::set<TensorImpl*> seen;
  std::vector<Tensor> order;
  topo(loss, seen, order);
  std::printf("   topological order (inputs before the tensors made from them):\n");
  for (const Tensor& t : order)
    std::printf("     %-9s %s\n", t.impl()->node ? t.impl()->node->op : "leaf",
                shape_str(t.shape()).c_str());
  claim(order.size() == 7 && order.back().impl() == loss.impl(),
        "7 tensors: 3 leaves, mul, add, relu, sum last");
  claim(!x.impl()->node && x.is_leaf() && !loss.is_leaf(),
        "leaves have no Node; every op output has one");

  std::printf("\n2. backward: the library's and the one in this file\n");
  loss.backward();
  const std::map<TensorImpl*, Tensor> mine = my_backward(loss);
  const Tensor mask = gt(pre.detach(), scalar(0.f));  // relu' = 1 where pre > 0
  claim(lesson::diff(x.grad(), mul(w.detach(), mask)).worst < 1e-6, "dloss/dx = w * [pre > 0]");
  claim(lesson::diff(b.grad(), sum(mask, {0})).worst < 1e-6,
        "dloss/db sums over the broadcast rows (sum_to undoes broadcasting)");
  bool same = true;
  for (const Tensor* t : {&x, &w, &b})
    same = same && lesson::diff(mine.at(t->impl()), t->grad()).worst == 0;
  claim(same, "my_backward (in this file) gives the same gradients as Tensor::backward");

  std::printf("\n3. accumulation: a tensor used twice gets the sum of both gradients\n");
  Tensor a = Tensor::from_data({1.f, 2.f, 3.f}, {3}).requires_grad_();
  const Tensor z = sum(add(mul(a, a), a));  // z = sum(a^2 + a): a appears three times
  z.backward();
  std::printf("   a = [1 2 3], z = sum(a*a + a), a.grad = [%g %g %g]\n", a.grad().at({0}),
              a.grad().at({1}), a.grad().at({2}));
  claim(a.grad().to_vector() == std::vector<float>{3, 5, 7}, "dz/da = 2a + 1 = [3 5 7]");
  z.backward();
  claim(a.grad().to_vector() == std::vector<float>{6, 10, 14},
        "a second backward adds into .grad: [6 10 14]");
  a.zero_grad();
  claim(!a.grad().defined(), "zero_grad() clears it; optimizers call it before every step");

  std::printf(
      "\n4. finite differences for every op so far (worst relative error, eps = 1e-2, float32)\n");
  struct Op {
    const char* name;
    std::function<Tensor(const std::vector<Tensor>&)> f;
    std::vector<Shape> shapes;
  };
  const std::vector<Op> ops = {
      {"add (broadcast)", [](auto& v) { return add(v[0], v[1]); }, {{2, 3}, {3}}},
      {"mul", [](auto& v) { return mul(v[0], v[1]); }, {{2, 3}, {2, 3}}},
      {"relu", [](auto& v) { return relu(v[0]); }, {{2, 3}}},
      {"sum over dim 1", [](auto& v) { return sum(v[0], {1}); }, {{2, 3}}},
      {"matmul", [](auto& v) { return matmul(v[0], v[1]); }, {{2, 3}, {3, 4}}},
      {"view + transpose + contiguous",
       [](auto& v) {
         return v[0].view({2, 2, 3}).transpose(1, 2).contiguous();
       },
       {{4, 3}}},
      {"narrow", [](auto& v) { return v[0].narrow(1, 1, 2); }, {{2, 4}}},
      {"cat",
       [](auto& v) {
         return cat({v[0], v[1]}, 1);
       },
       {{1, 2, 2, 2}, {1, 4, 2, 2}}},
      {"channel_shuffle (g = 2)", [](auto& v) { return channel_shuffle(v[0], 2); }, {{2, 4, 2, 2}}},
  };
  for (const Op& op : ops) {
    std::vector<Tensor> xs;
    for (size_t i = 0; i < op.shapes.size(); ++i) xs.push_back(leaf(op.shapes[i], 10 + i));
    const double err = gradcheck(op.f, xs);
    std::printf("   %-31s %.2e\n", op.name, err);
    claim(err < 1e-3, std::string(op.name) + ": backward agrees with finite differences");
  }
  std::printf("\nLook at: the order in 1 (what backward walks in reverse) and a.grad in 3 (sums, "
              "not overwrites).\n");
  return lesson::failures() == 0 ? 0 : 1;
}
