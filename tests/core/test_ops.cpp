// tests/core/test_ops.cpp - every core op three ways (design.md item 5): a tiny case
// with the numbers written here, agreement with PyTorch goldens (assets/goldens/
// core_ops.txt, made by scripts/make_core_goldens.py), and a finite-difference
// gradient check. Last section: the fused ops (cat_shuffle, and nn's batch_norm_relu, whose
// goldens live here too) against their reference twins on random shapes, threads 1 and 3.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <omp.h>

#include "nn/batchnorm.h"
#include "tests/helpers.h"

using namespace sl;
using sl::test::check_close;
using sl::test::gradcheck;
using sl::test::rand_tensor;

namespace {

using Case = std::map<std::string, Tensor>;
std::map<std::string, Case> load_goldens() {
  std::ifstream f(std::string(SL_SOURCE_DIR) + "/assets/goldens/core_ops.txt");
  REQUIRE_MESSAGE(f.good(), "assets/goldens/core_ops.txt is missing");
  std::map<std::string, Case> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string c, name;
    int nd;
    is >> c >> name >> nd;
    Shape s(nd);
    int64_t n = 1;
    for (auto& d : s) {
      is >> d;
      n *= d;
    }
    std::vector<float> v(n);
    for (auto& x : v) is >> x;
    out[c][name] = Tensor::from_data(v, s);
  }
  return out;
}

// Runs op on the case's inputs, compares out and every d<input> with PyTorch.
void check_golden(const Case& k, const std::vector<std::string>& names, const test::Fn& op,
                  const std::string& label) {
  std::vector<Tensor> ins;
  for (const auto& n : names) ins.push_back(k.at(n).clone().detach().requires_grad_());
  Tensor out = op(ins);
  check_close(out, k.at("out"), 1e-5, 1e-4, label + " out");
  if (!k.count("r")) return;
  sum(mul(out, k.at("r"))).backward();
  for (size_t i = 0; i < names.size(); ++i)
    check_close(ins[i].grad(), k.at("d" + names[i]), 1e-5, 1e-4, label + " d" + names[i]);
}

}  // namespace

TEST_CASE("hand-checked element-wise cases") {
  Tensor a = Tensor::from_data({1, 2, 3, 4}, {2, 2});
  Tensor b = Tensor::from_data({10, 20}, {2});
  CHECK(add(a, b).to_vector() == std::vector<float>{11, 22, 13, 24});
  CHECK(sub(a, b).to_vector() == std::vector<float>{-9, -18, -7, -16});
  CHECK(mul(a, b).to_vector() == std::vector<float>{10, 40, 30, 80});
  CHECK(div(b, Tensor::from_data({4, 5}, {2})).to_vector() == std::vector<float>{2.5f, 4});
  CHECK(pow(a, 2.f).to_vector() == std::vector<float>{1, 4, 9, 16});
  CHECK(neg(a).to_vector() == std::vector<float>{-1, -2, -3, -4});
  CHECK(relu(Tensor::from_data({-1, 0, 2}, {3})).to_vector() == std::vector<float>{0, 0, 2});
  CHECK(exp(Tensor::zeros({1})).item() == 1.f);
  CHECK(log(Tensor::ones({1})).item() == 0.f);
  CHECK(sqrt(Tensor::from_data({9, 16}, {2})).to_vector() == std::vector<float>{3, 4});
  CHECK(abs(Tensor::from_data({-2, 3}, {2})).to_vector() == std::vector<float>{2, 3});
  CHECK(maximum(a, Tensor::full({1}, 2.5f)).to_vector() == std::vector<float>{2.5f, 2.5f, 3, 4});
  Tensor c = Tensor::from_data({1, 5, 3}, {3}), three = Tensor::full({1}, 3.f);
  CHECK(eq(c, three).to_vector() == std::vector<float>{0, 0, 1});
  CHECK(ne(c, three).to_vector() == std::vector<float>{1, 1, 0});
  CHECK(lt(c, three).to_vector() == std::vector<float>{1, 0, 0});
  CHECK(le(c, three).to_vector() == std::vector<float>{1, 0, 1});
  CHECK(gt(c, three).to_vector() == std::vector<float>{0, 1, 0});
  CHECK(ge(c, three).to_vector() == std::vector<float>{0, 1, 1});
  CHECK((a * 2.f + 1.f).to_vector() == std::vector<float>{3, 5, 7, 9});
  // broadcasting a transposed (strided) operand
  Tensor t = a.transpose(0, 1);  // [[1,3],[2,4]]
  CHECK(add(t, b).to_vector() == std::vector<float>{11, 23, 12, 24});
}

TEST_CASE("hand-checked reductions, matmul and cat") {
  Tensor x = Tensor::from_data({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(sum(x).item() == 21.f);
  CHECK(sum(x, {0}).to_vector() == std::vector<float>{5, 7, 9});
  CHECK(sum(x, {1}, true).shape() == Shape{2, 1});
  CHECK(sum(x, {-1}).to_vector() == std::vector<float>{6, 15});
  CHECK(mean(x, {1}).to_vector() == std::vector<float>{2, 5});
  CHECK(max(Tensor::from_data({3, 9, 2, 7, 1, 8}, {2, 3}), 1).to_vector() ==
        std::vector<float>{9, 8});
  CHECK(argmax(Tensor::from_data({3, 9, 2, 7, 1, 8}, {2, 3}), 1).to_vector() ==
        std::vector<float>{1, 2});
  CHECK(argmax(Tensor::from_data({5, 5, 1}, {3}), 0).item() == 0.f);  // first max wins
  Tensor m = matmul(x, Tensor::from_data({1, 0, 0, 1, 1, 1}, {3, 2}));
  CHECK(m.to_vector() == std::vector<float>{4, 5, 10, 11});
  CHECK(matmul(x, x.transpose(0, 1)).to_vector() == std::vector<float>{14, 32, 32, 77});
  Tensor bm =
      matmul(Tensor::ones({2, 1, 2}), Tensor::from_data({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}));
  CHECK(bm.to_vector() == std::vector<float>{4, 6, 12, 14});
  Tensor ct = cat({x, Tensor::from_data({7, 8}, {2, 1})}, 1);
  CHECK(ct.to_vector() == std::vector<float>{1, 2, 3, 7, 4, 5, 6, 8});
  CHECK(cat({x, x}, 0).shape() == Shape{4, 3});
}

TEST_CASE("hand-checked fused ops: cat_shuffle and batch_norm_relu") {
  // channels a = [0, 1], b = [2, 3], one value each: the concatenation [0,1,2,3] as a [2, 2]
  // grid, transposed -> [0, 2, 1, 3]
  const Tensor a = Tensor::from_data({0, 1}, {1, 2, 1, 1}),
               b = Tensor::from_data({2, 3}, {1, 2, 1, 1});
  CHECK(cat_shuffle(a, b, 2).to_vector() == std::vector<float>{0, 2, 1, 3});
  CHECK(cat_shuffle(a, b, 1).to_vector() == std::vector<float>{0, 1, 2, 3});
  // one channel [1, 2, 3, 4]: mean 2.5, var 1.25, xhat = [-1.342, -0.447, 0.447, 1.342];
  // gamma 2, beta 0.5: 2 * xhat + 0.5 = [-2.183, -0.394, 1.394, 3.183] -> ReLU
  const Tensor x = Tensor::from_data({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor gamma = Tensor::from_data({2}, {1}), beta = Tensor::from_data({0.5f}, {1});
  Tensor rm = Tensor::zeros({1}), rv = Tensor::ones({1});
  check_close(batch_norm_relu(x, gamma, beta, rm, rv, {.training = true}),
              Tensor::from_data({0.f, 0.f, 1.3944272f, 3.1832816f}, {1, 1, 2, 2}), 1e-5, 1e-5,
              "batch_norm_relu");
  // running: 0.9 * 0 + 0.1 * 2.5, 0.9 * 1 + 0.1 * (5 / 3) (the unbiased variance)
  CHECK(rm.item() == doctest::Approx(0.25));
  CHECK(rv.item() == doctest::Approx(0.9 + 0.1 * 5.0 / 3.0));
}

TEST_CASE("PyTorch goldens: outputs and gradients") {
  auto g = load_goldens();
  auto ab = std::vector<std::string>{"a", "b"};
  auto a1 = std::vector<std::string>{"a"};
  check_golden(
      g["add"], ab, [](auto& v) { return add(v[0], v[1]); }, "add");
  check_golden(
      g["sub"], ab, [](auto& v) { return sub(v[0], v[1]); }, "sub");
  check_golden(
      g["mul"], ab, [](auto& v) { return mul(v[0], v[1]); }, "mul");
  check_golden(
      g["div"], ab, [](auto& v) { return div(v[0], v[1]); }, "div");
  check_golden(
      g["maximum"], ab, [](auto& v) { return maximum(v[0], v[1]); }, "maximum");
  check_golden(
      g["pow"], a1, [](auto& v) { return pow(v[0], 2.5f); }, "pow");
  check_golden(
      g["neg"], a1, [](auto& v) { return neg(v[0]); }, "neg");
  check_golden(
      g["relu"], a1, [](auto& v) { return relu(v[0]); }, "relu");
  check_golden(
      g["exp"], a1, [](auto& v) { return exp(v[0]); }, "exp");
  check_golden(
      g["log"], a1, [](auto& v) { return log(v[0]); }, "log");
  check_golden(
      g["sqrt"], a1, [](auto& v) { return sqrt(v[0]); }, "sqrt");
  check_golden(
      g["abs"], a1, [](auto& v) { return abs(v[0]); }, "abs");
  check_golden(
      g["sum_1_keep"], a1, [](auto& v) { return sum(v[0], {1}, true); }, "sum_1_keep");
  check_golden(
      g["sum_all"], a1, [](auto& v) { return sum(v[0]); }, "sum_all");
  check_golden(
      g["mean_0_2"], a1,
      [](auto& v) {
        return mean(v[0], {0, 2});
      },
      "mean_0_2");
  check_golden(
      g["max_1"], a1, [](auto& v) { return max(v[0], 1); }, "max_1");
  check_golden(
      g["argmax_1"], a1, [](auto& v) { return argmax(v[0], 1); }, "argmax_1");
  check_golden(
      g["matmul_2d"], ab, [](auto& v) { return matmul(v[0], v[1]); }, "matmul_2d");
  check_golden(
      g["matmul_batched"], ab, [](auto& v) { return matmul(v[0], v[1]); }, "matmul_batched");
  check_golden(
      g["matmul_bcast"], ab, [](auto& v) { return matmul(v[0], v[1]); }, "matmul_bcast");
  check_golden(
      g["cat_1"], ab,
      [](auto& v) {
        return cat({v[0], v[1]}, 1);
      },
      "cat_1");
  check_golden(
      g["shuffle_g3"], a1, [](auto& v) { return channel_shuffle(v[0], 3); }, "shuffle_g3");
  check_golden(
      g["cat_shuffle_g2"], ab, [](auto& v) { return cat_shuffle(v[0], v[1], 2); },
      "cat_shuffle_g2");
  check_golden(
      g["cat_shuffle_g3"], ab, [](auto& v) { return cat_shuffle(v[0], v[1], 3); },
      "cat_shuffle_g3");
  for (const char* name : {"bn_relu_train", "bn_relu_eval"}) {
    const Case& k = g[name];
    const Tensor rm = k.at("running_mean").clone(), rv = k.at("running_var").clone();
    const bool training = std::string(name) == "bn_relu_train";
    check_golden(
        k, {"x", "gamma", "beta"},
        [&](auto& v) { return batch_norm_relu(v[0], v[1], v[2], rm, rv, {.training = training}); },
        name);
    check_close(rm, k.at("running_mean_after"), 1e-6, 1e-5, std::string(name) + " running_mean");
    check_close(rv, k.at("running_var_after"), 1e-6, 1e-5, std::string(name) + " running_var");
  }
}

TEST_CASE("finite-difference gradient checks") {
  auto r = [](Shape s, uint64_t seed, float lo = -1.f, float hi = 1.f) {
    return rand_tensor(s, seed, lo, hi).requires_grad_();
  };
  gradcheck([](auto& v) { return add(v[0], v[1]); }, {r({2, 3, 4}, 1), r({3, 1}, 2)});
  gradcheck([](auto& v) { return sub(v[0], v[1]); }, {r({2, 3}, 1), r({3}, 2)});
  gradcheck([](auto& v) { return mul(v[0], v[1]); }, {r({2, 3, 4}, 1), r({4}, 2)});
  gradcheck([](auto& v) { return div(v[0], v[1]); }, {r({3, 4}, 1), r({1, 4}, 2, 0.5f, 2.f)});
  {  // keep a and b at least 0.2 apart so no difference quotient straddles the kink
    std::vector<float> av, bv;
    for (int i = 0; i < 12; ++i) {
      av.push_back(0.1f * i - 0.5f);
      bv.push_back(av.back() + (i % 2 ? 0.3f : -0.2f));
    }
    gradcheck([](auto& v) { return maximum(v[0], v[1]); },
              {Tensor::from_data(av, {3, 4}).requires_grad_(),
               Tensor::from_data(bv, {3, 4}).requires_grad_()});
  }
  gradcheck([](auto& v) { return pow(v[0], 2.5f); }, {r({2, 5}, 1, 0.3f, 2.f)});
  gradcheck([](auto& v) { return neg(v[0]); }, {r({2, 3}, 1)});
  gradcheck([](auto& v) { return relu(v[0]); },
            {rand_tensor({40}, 4, 0.05f, 1.f).requires_grad_()});
  gradcheck([](auto& v) { return relu(neg(v[0])); },
            {rand_tensor({40}, 4, 0.05f, 1.f).requires_grad_()});
  gradcheck([](auto& v) { return exp(v[0]); }, {r({2, 4}, 1)});
  gradcheck([](auto& v) { return log(v[0]); }, {r({2, 4}, 1, 0.5f, 3.f)});
  gradcheck([](auto& v) { return sqrt(v[0]); }, {r({2, 4}, 1, 0.5f, 3.f)});
  gradcheck([](auto& v) { return abs(v[0]); }, {rand_tensor({8}, 1, 0.1f, 1.f).requires_grad_()});
  gradcheck([](auto& v) { return sum(v[0], {0, 2}, true); }, {r({2, 3, 4}, 1)});
  gradcheck([](auto& v) { return mean(v[0], {1}); }, {r({2, 3, 4}, 1)});
  gradcheck([](auto& v) { return max(v[0], 1); }, {r({3, 6, 2}, 1)});
  gradcheck([](auto& v) { return matmul(v[0], v[1]); }, {r({2, 3, 4}, 1), r({2, 4, 5}, 2)});
  gradcheck([](auto& v) { return matmul(v[0], v[1]); }, {r({2, 3, 4}, 1), r({4, 5}, 2)});
  gradcheck([](auto& v) { return matmul(v[0], v[1].transpose(0, 1)); },
            {r({3, 4}, 1), r({5, 4}, 2)});
  gradcheck([](auto& v) { return cat({v[0], v[1]}, 1); }, {r({2, 2, 3}, 1), r({2, 1, 3}, 2)});
  gradcheck([](auto& v) { return channel_shuffle(v[0], 3); }, {r({2, 6, 2, 2}, 1)});
  gradcheck([](auto& v) { return cat_shuffle(v[0], v[1], 2); },
            {r({2, 3, 2, 2}, 1), r({2, 3, 2, 2}, 2)});
  gradcheck([](auto& v) { return cat_shuffle(v[0], v[1], 3); },
            {r({1, 2, 2, 3}, 1), r({1, 4, 2, 3}, 2)});
  {  // batch_norm_relu away from the ReLU's kink: every 2 * xhat + beta at least 0.1 from 0
    const Tensor x = rand_tensor({2, 3, 2, 2}, 7).requires_grad_();
    const Tensor gamma = Tensor::from_data({2.f, 2.f, 2.f}, {3}).requires_grad_();
    Tensor beta;
    {
      NoGradGuard no_grad;
      const Tensor xhat = batch_norm(x, Tensor::ones({3}), Tensor::zeros({3}), Tensor(), Tensor());
      const std::vector<float> v = xhat.to_vector();
      std::vector<float> b(3, 0.f);
      for (int c = 0; c < 3; ++c) {  // the middle of the widest gap between values of 2 * xhat
        std::vector<float> vs;
        for (int n = 0; n < 2; ++n)
          for (int i = 0; i < 4; ++i) vs.push_back(-2.f * v[(size_t)((n * 3 + c) * 4 + i)]);
        std::sort(vs.begin(), vs.end());
        size_t best = 0;
        for (size_t i = 1; i + 1 < vs.size(); ++i)
          if (vs[i + 1] - vs[i] > vs[best + 1] - vs[best]) best = i;
        REQUIRE(vs[best + 1] - vs[best] > 0.2f);
        b[(size_t)c] = 0.5f * (vs[best] + vs[best + 1]);
      }
      beta = Tensor::from_data(b, {3});
    }
    beta.requires_grad_();
    // eval mode normalizes with the running statistics: make them the batch's, so that the
    // margin above holds in both modes
    Tensor batch_mean, batch_var;
    {
      NoGradGuard no_grad;
      batch_mean = mean(x, {0, 2, 3});
      const Tensor d = x - batch_mean.view({1, 3, 1, 1});
      batch_var = mean(d * d, {0, 2, 3});
    }
    for (const bool training : {true, false}) {
      const Tensor rm = batch_mean, rv = batch_var;
      gradcheck(
          [&](auto& v) {
            return batch_norm_relu(v[0], v[1], v[2], rm.clone(), rv.clone(),
                                   {.training = training});
          },
          {x, gamma, beta});
    }
  }
  // views: narrow / permute / expand / chunk each route gradients back
  gradcheck([](auto& v) { return mul(v[0].narrow(1, 1, 2), v[0].narrow(1, 0, 2)); },
            {r({2, 4}, 1)});
  gradcheck(
      [](auto& v) {
        return v[0].permute({2, 0, 1}).contiguous().view({4, 6});
      },
      {r({2, 3, 4}, 1)});
  gradcheck([](auto& v) { return mul(v[0].expand({3, 4}), v[1]); }, {r({1, 4}, 1), r({3, 4}, 2)});
  gradcheck([](auto& v) { return add(v[0].chunk(2, 0)[0], v[0].chunk(2, 0)[1]); }, {r({4, 3}, 1)});
}

// The engine adds narrow's gradient straight into the slice of its input's gradient; the
// narrow node's own backward (zeros, the slice, zeros, concatenated) is the reference.
TEST_CASE("narrow: the engine's in-place slice accumulation matches narrow's reference backward") {
  const Tensor x = rand_tensor({2, 7, 3, 3}, 1).requires_grad_();
  const Tensor a = rand_tensor({2, 3, 3, 3}, 2), b = rand_tensor({2, 4, 3, 3}, 3);
  const Tensor c = rand_tensor({2, 7, 3, 3}, 4), d = rand_tensor({2, 2, 3, 3}, 5);
  // overlapping slices, the whole tensor, and a narrow of a narrow (a slice of a slice)
  const Tensor p = x.narrow(1, 0, 3), q = x.narrow(1, 3, 4), whole = mul(x, c);
  const Tensor pp = q.narrow(1, 1, 2);
  add(add(sum(mul(p, a)), sum(mul(q, b))), add(sum(whole), sum(mul(pp, d)))).backward();
  // reference: each narrow node's own backward, summed out of place
  NoGradGuard no_grad;
  const auto ref = [](const Tensor& view, const Tensor& dview) {
    return view.impl()->node->backward(dview)[0];
  };
  const Tensor expected = add(add(ref(p, a), ref(q, add(b, ref(pp, d)))), c);
  REQUIRE(x.grad().defined());
  check_close(x.grad(), expected, 1e-6, 1e-6, "narrow backward");  // same terms, any order
}

// [SECTION] fused ops against their reference twins

TEST_CASE("cat_shuffle: values and gradients equal cat then channel_shuffle, threads 1 and 3") {
  const int saved = omp_get_max_threads();
  uint64_t seed = 1;
  // V2's units (two equal halves, g = 2), uneven halves, every V1 group count, odd sizes
  const int64_t shapes[][5] = {{2, 24, 24, 2, 16}, {3, 5, 7, 3, 5},  {1, 1, 1, 2, 1},
                               {2, 9, 3, 4, 7},    {2, 6, 10, 8, 3}, {1, 0, 4, 2, 9}};
  for (const auto& sh : shapes) {
    const int64_t N = sh[0], C_a = sh[1], C_b = sh[2], G = sh[3], HW = sh[4];
    CAPTURE(C_a);
    CAPTURE(C_b);
    CAPTURE(G);
    const Tensor r = rand_tensor({N, C_a + C_b, HW, 1}, ++seed);
    for (const int threads : {1, 3}) {
      omp_set_num_threads(threads);
      std::vector<Tensor> grads[2];
      for (int fused = 0; fused < 2; ++fused) {
        // a is the first C_a channels of a wider tensor, as a V2 unit's left half is: the
        // fused op reads it in place
        const Tensor wide = rand_tensor({N, C_a + 2, HW, 1}, 100).requires_grad_();
        const Tensor a = wide.narrow(1, 0, C_a);
        const Tensor b = rand_tensor({N, C_b, HW, 1}, 200).requires_grad_();
        const Tensor out = fused ? cat_shuffle(a, b, G) : cat_shuffle_reference(a, b, G);
        sum(mul(out, r)).backward();
        grads[fused] = {out.detach(), wide.grad(), b.grad()};
      }
      for (int i = 0; i < 3; ++i)
        CHECK(grads[0][(size_t)i].to_vector() == grads[1][(size_t)i].to_vector());
    }
  }
  omp_set_num_threads(saved);
  CHECK(test::error_of([] {
          cat_shuffle(Tensor::zeros({1, 3, 2, 2}), Tensor::zeros({1, 2, 2, 2}), 2);
        }).find("cat_shuffle: channels C = 3 + 2 = 5 are not divisible by groups g = 2") == 0);
}

TEST_CASE("batch_norm_relu: values, gradients and running stats equal relu(batch_norm), threads 1 "
          "and 3") {
  const int saved = omp_get_max_threads();
  uint64_t seed = 10;
  const int64_t shapes[][4] = {
      {2, 3, 4, 4}, {3, 5, 7, 3}, {1, 2, 1, 3}, {4, 24, 8, 8}, {2, 7, 5, 1}};
  for (const auto& sh : shapes) {
    const Shape shape = {sh[0], sh[1], sh[2], sh[3]};
    CAPTURE(shape_str(shape));
    const Tensor r = rand_tensor(shape, ++seed);
    const Tensor x0 = rand_tensor(shape, ++seed, -1.f, 3.f);
    const Tensor g0 = rand_tensor({sh[1]}, ++seed, 0.5f, 1.5f), b0 = rand_tensor({sh[1]}, ++seed);
    for (const bool training : {true, false})
      for (const int threads : {1, 3}) {
        CAPTURE(training);
        CAPTURE(threads);
        omp_set_num_threads(threads);
        std::vector<Tensor> got[2];
        for (int fused = 0; fused < 2; ++fused) {
          const Tensor x = x0.clone().requires_grad_(), g = g0.clone().requires_grad_(),
                       b = b0.clone().requires_grad_();
          const Tensor rm = Tensor::full({sh[1]}, 0.1f), rv = Tensor::full({sh[1]}, 0.9f);
          const BatchNormParams p{.training = training};
          const Tensor y = fused ? batch_norm_relu(x, g, b, rm, rv, p)
                                 : batch_norm_relu_reference(x, g, b, rm, rv, p);
          sum(mul(y, r)).backward();
          got[fused] = {y.detach(), x.grad(), g.grad(), b.grad(), rm, rv};
        }
        // training: the same kernels' sums in the same order, so equal to the last bit;
        // eval: the backward takes the same tensor ops on a masked dout
        const char* what[] = {"y", "dx", "dgamma", "dbeta", "running_mean", "running_var"};
        for (int i = 0; i < 6; ++i)
          check_close(got[1][(size_t)i], got[0][(size_t)i], 1e-6, 1e-6, what[i]);
      }
  }
  omp_set_num_threads(saved);
}
