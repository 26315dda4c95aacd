// tests/core/test_tensor.cpp - Tensor creation, views without copies, the copy
// counter, the channel-shuffle seed example, autograd mechanics, and the errors
// the foundation issue names. Op math is in test_ops*.cpp.
#include "tests/helpers.h"

using namespace sl;
using sl::test::check_close;

TEST_CASE("creation: zeros, ones, full, arange, from_data, seeded random") {
  CHECK(Tensor::zeros({2, 3}).to_vector() == std::vector<float>(6, 0.f));
  CHECK(Tensor::ones({4}).to_vector() == std::vector<float>(4, 1.f));
  CHECK(Tensor::full({2}, 2.5f).to_vector() == std::vector<float>{2.5f, 2.5f});
  CHECK(Tensor::arange(4).to_vector() == std::vector<float>{0, 1, 2, 3});
  Tensor t = Tensor::from_data({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.strides() == Shape{3, 1});
  CHECK(t.at({1, 2}) == 6.f);
  Generator g1(7), g2(7);
  CHECK(Tensor::randn({5}, g1).to_vector() == Tensor::randn({5}, g2).to_vector());
  Generator g3(1);
  Tensor n = Tensor::randn({20000}, g3);
  CHECK(std::fabs(mean(n).item()) < 0.03f);
  CHECK(std::fabs(mean(mul(n, n)).item() - 1.f) < 0.05f);
  Tensor u = Tensor::uniform({1000}, g3, 2.f, 3.f);
  for (float v : u.to_vector()) CHECK((v >= 2.f && v < 3.f));
  CHECK(Tensor::zeros({2}).device() == Device::cpu);
}

TEST_CASE("views share storage and copy nothing") {
  reset_copy_stats();
  Tensor x = Tensor::arange(24).view({2, 3, 4});
  Tensor t = x.transpose(0, 2);
  CHECK(t.shape() == Shape{4, 3, 2});
  CHECK(t.strides() == Shape{1, 4, 12});
  CHECK(t.shares_storage(x));
  CHECK_FALSE(t.is_contiguous());
  CHECK(t.at({3, 2, 1}) == x.at({1, 2, 3}));
  Tensor p = x.permute({1, 2, 0});
  CHECK(p.shape() == Shape{3, 4, 2});
  CHECK(p.at({2, 1, 1}) == x.at({1, 2, 1}));
  Tensor nrw = x.narrow(2, 1, 2);
  CHECK(nrw.shape() == Shape{2, 3, 2});
  CHECK(nrw.offset() == 1);
  CHECK(nrw.to_vector()[0] == 1.f);
  auto chunks = x.chunk(2, 2);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[1].at({0, 0, 0}) == 2.f);
  auto parts = x.split(2, 1);
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].shape() == Shape{2, 1, 4});
  CHECK(x.slice(0, 1, 2).at({0, 0, 0}) == 12.f);
  CHECK(x.unsqueeze(1).shape() == Shape{2, 1, 3, 4});
  CHECK(x.unsqueeze(1).squeeze(1).shape() == Shape{2, 3, 4});
  Tensor e = Tensor::from_data({1, 2, 3}, {3, 1}).expand({3, 4});
  CHECK(e.strides() == Shape{1, 0});
  CHECK(e.to_vector() == std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
  Tensor r = x.reshape({6, 4});  // contiguous: reshape is a view
  CHECK(r.shares_storage(x));
  CHECK(x.contiguous().impl() == x.impl());  // already contiguous: same tensor
  CHECK(copy_stats().copies == 0);
  Tensor tr = t.reshape({24});  // impossible as a view: reshape copies, once
  CHECK_FALSE(tr.shares_storage(x));
  CHECK(copy_stats().copies == 1);
  CHECK(copy_stats().bytes == 24 * 4);
  CHECK(tr.to_vector()[1] == 12.f);
  // a transposed tensor can still be viewed when the split dims stay together
  Tensor v = Tensor::arange(12).view({3, 4}).transpose(0, 1).view({2, 2, 3});
  CHECK(v.at({1, 1, 2}) == x.at({0, 2, 3}));
}

TEST_CASE("channel shuffle must-have: 2x4x2x2, g = 2 gives 1,3,2,4 and 5,7,6,8") {
  std::vector<float> data;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 4; ++c)
      for (int i = 0; i < 4; ++i) data.push_back((float)(n * 4 + c + 1));
  Tensor x = Tensor::from_data(data, {2, 4, 2, 2});
  reset_copy_stats();
  Tensor v = x.view({2, 2, 2, 2, 2});
  Tensor t = v.transpose(1, 2);
  CHECK(v.shares_storage(x));
  CHECK(t.shares_storage(x));
  CHECK(copy_stats().copies == 0);  // view and transpose copy nothing
  Tensor c = t.contiguous();
  CHECK(copy_stats().copies == 1);  // contiguous copies exactly once
  CHECK(copy_stats().bytes == 32 * 4);
  Tensor y = c.view({2, 4, 2, 2});
  CHECK(copy_stats().copies == 1);
  std::vector<float> got = y.to_vector(), order;
  for (int n = 0; n < 2; ++n)
    for (int ch = 0; ch < 4; ++ch) {
      for (int i = 0; i < 4; ++i) CHECK(got[(n * 4 + ch) * 4 + i] == got[(n * 4 + ch) * 4]);
      order.push_back(got[(n * 4 + ch) * 4]);
    }
  CHECK(order == std::vector<float>{1, 3, 2, 4, 5, 7, 6, 8});
  reset_copy_stats();
  CHECK(channel_shuffle_reference(x, 2).to_vector() == got);
  CHECK(copy_stats().copies == 1);  // the definition: one contiguous copy
  CHECK(channel_shuffle(x, 2).to_vector() == got);
}

TEST_CASE("channel shuffle: the one-pass op equals its definition, values and gradients") {
  // channel_shuffle runs the backend's kernel; channel_shuffle_reference is the composition
  // view -> transpose -> contiguous -> view. A permutation: equal element for element.
  struct Case {
    Shape s;
    int64_t g;
  };
  for (const Case& c : {Case{{2, 12, 3, 3}, 3}, Case{{1, 8, 2, 5}, 2}, Case{{3, 6, 1, 1}, 6},
                        Case{{1, 5, 2, 2}, 1}, Case{{2, 24, 7, 5}, 8}}) {
    CAPTURE(shape_str(c.s));
    CAPTURE(c.g);
    Tensor a = sl::test::rand_tensor(c.s, 3).requires_grad_(),
           b = a.detach().clone().requires_grad_();
    Tensor ya = channel_shuffle(a, c.g), yb = channel_shuffle_reference(b, c.g);
    CHECK(ya.to_vector() == yb.to_vector());
    Tensor r = sl::test::rand_tensor(c.s, 4);
    sum(mul(ya, r)).backward();
    sum(mul(yb, r)).backward();
    CHECK(a.grad().to_vector() == b.grad().to_vector());
  }
  // a non-contiguous input (a channel slice of a wider tensor) gives the same values
  Tensor wide = sl::test::rand_tensor({2, 10, 3, 3}, 6);
  Tensor part = wide.narrow(1, 4, 6);
  CHECK(channel_shuffle(part, 3).to_vector() == channel_shuffle_reference(part, 3).to_vector());
  CHECK_THROWS_WITH_AS(channel_shuffle_reference(Tensor::zeros({1, 6, 1, 1}), 4),
                       doctest::Contains("channels C = 6 is not divisible by groups g = 4"), Error);
}

TEST_CASE("channel shuffle: every divisor, and g then C/g is the identity") {
  for (int64_t C : {1, 6, 12, 24}) {
    Tensor x = sl::test::rand_tensor({2, C, 3, 2}, 3);
    for (int64_t g = 1; g <= C; ++g) {
      if (C % g) continue;
      Tensor y = channel_shuffle(x, g);
      for (int64_t j = 0; j < C; ++j) {
        int64_t i = (j % g) * (C / g) + j / g;
        CHECK(y.at({1, j, 2, 1}) == x.at({1, i, 2, 1}));
      }
      CHECK(channel_shuffle(y, C / g).to_vector() == x.to_vector());
    }
  }
}

TEST_CASE("errors name the op and the shapes") {
  Tensor x = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(x.view({4, 2}), "view: cannot view (2,3) (6 elements) as (4,2) (8 elements)",
                       Error);
  CHECK_THROWS_WITH_AS(x.transpose(0, 2),
                       "transpose: dim 2 is out of range for a tensor with 2 dims", Error);
  CHECK_THROWS_WITH_AS(add(x, Tensor::zeros({4})),
                       "add: shapes (2,3) and (4) cannot be broadcast (dim 1: 3 vs 4)", Error);
  CHECK_THROWS_WITH_AS(matmul(x, Tensor::zeros({2, 5})),
                       "matmul: inner sizes differ: a is (2,3) (K = 3) but b is (2,5) (K = 2)",
                       Error);
  Tensor w = Tensor::ones({2, 3}).requires_grad_();
  CHECK_THROWS_WITH_AS(
      mul(w, w).backward(),
      doctest::Contains("backward: called on a non-scalar (2,3) without a gradient"), Error);
  CHECK_THROWS_WITH_AS(channel_shuffle(Tensor::zeros({1, 6, 1, 1}), 4),
                       doctest::Contains("channels C = 6 is not divisible by groups g = 4"), Error);
  CHECK_THROWS_WITH_AS(x.transpose(0, 1).view({6}), doctest::Contains("without a copy"), Error);
  CHECK_THROWS_WITH_AS(x.narrow(1, 2, 2), "narrow: [2, 4) is outside dim 1 of (2,3)", Error);
  CHECK_THROWS_WITH_AS(x.expand({3, 3}), doctest::Contains("expand: cannot expand (2,3) to (3,3)"),
                       Error);
  CHECK_THROWS_WITH_AS(Tensor::from_data({1, 2, 3}, {2, 2}),
                       "from_data: 3 values cannot fill shape (2,2) (4 elements)", Error);
  CHECK_THROWS_WITH_AS(x.item(), doctest::Contains("item: tensor (2,3) has 6 elements"), Error);
  CHECK_THROWS_WITH_AS(Tensor().shape(), "tensor: use of an undefined tensor", Error);
  CHECK_THROWS_WITH_AS(cat({x, Tensor::zeros({3, 3})}, 1),
                       doctest::Contains("differ outside dim 1"), Error);
  // A CUDA tensor is an error only where CUDA cannot run, and then it says why.
  const std::string no_cuda = device_unavailable_reason(Device::cuda);
  if (no_cuda.empty())
    CHECK(Tensor::zeros({2}, Device::cuda).to_vector() == std::vector<float>{0, 0});
  else
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}, Device::cuda), no_cuda.c_str(), Error);
}

TEST_CASE("autograd: accumulation, views, NoGradGuard, detach") {
  // y = x * x + x uses x three times: dy/dx = 2x + 1
  Tensor x = Tensor::from_data({1, 2, 3}, {3}).requires_grad_();
  sum(add(mul(x, x), x)).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{3, 5, 7});
  // a second backward accumulates into .grad
  sum(x).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{4, 6, 8});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());

  // gradient through view -> transpose -> contiguous -> view (the shuffle chain)
  Tensor a = sl::test::rand_tensor({1, 4, 1, 1}, 5).requires_grad_();
  Tensor wts = Tensor::from_data({1, 10, 100, 1000}, {1, 4, 1, 1});
  sum(mul(channel_shuffle_reference(a, 2), wts)).backward();
  // out channel j reads input (j%2)*2 + j/2: order 0,2,1,3 -> input i gets weight of its j
  CHECK(a.grad().to_vector() == std::vector<float>{1, 100, 10, 1000});

  {
    NoGradGuard ng;
    Tensor z = mul(a, a);
    CHECK_FALSE(z.requires_grad());
  }
  CHECK(mul(a, a).requires_grad());
  Tensor d = a.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.shares_storage(a));
  CHECK_FALSE(mul(d, d).requires_grad());
  CHECK_THROWS_AS(sum(d).backward(), Error);
}

TEST_CASE("autograd: a diamond graph and a long chain") {
  Tensor x = Tensor::from_data({0.5f, -1.f}, {2}).requires_grad_();
  Tensor h = exp(x);
  Tensor y = add(mul(h, h), h);  // e^{2x} + e^x
  sum(y).backward();
  std::vector<float> g = x.grad().to_vector();
  CHECK(g[0] == doctest::Approx(2 * std::exp(1.0) + std::exp(0.5)).epsilon(1e-5));
  CHECK(g[1] == doctest::Approx(2 * std::exp(-2.0) + std::exp(-1.0)).epsilon(1e-5));
  Tensor c = Tensor::ones({1}).requires_grad_();
  Tensor acc = c;
  for (int i = 0; i < 2000; ++i) acc = add(acc, c);  // deep graph, no recursion limit
  acc.backward();
  CHECK(c.grad().item() == 2001.f);
}
