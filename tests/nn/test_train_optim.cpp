// tests/nn/test_train_optim.cpp - SGD's update against numbers worked out by hand (and
// equal to torch.optim.SGD's: momentum, Nesterov, weight decay and its exclusion from 1-D
// parameters), its state round trip, and the learning-rate schedules against
// torch.optim.lr_scheduler.OneCycleLR's values. Not here: the loop (test_train_loop.cpp).
#include <cmath>

#include "nn/optim.h"
#include "tests/helpers.h"

using namespace sl;
using namespace sl::test;

namespace {

// One parameter [1, 2] = {1, -2} and one 1-D parameter [1] = {1}, both with fixed grads.
struct Two {
  Tensor w = Tensor::from_data({1.f, -2.f}, {1, 2}).requires_grad_();
  Tensor b = Tensor::from_data({1.f}, {1}).requires_grad_();
  std::vector<std::pair<std::string, Tensor>> named() { return {{"w", w}, {"b", b}}; }
  void grads() {
    w.set_grad(Tensor::from_data({0.5f, 0.25f}, {1, 2}));
    b.set_grad(Tensor::from_data({0.5f}, {1}));
  }
};

}  // namespace

TEST_CASE("sgd: heavy-ball momentum with weight decay, two steps by hand") {
  // d = g + wd*w; buf = 0.9*buf + d; w -= lr*buf.
  // step 1: d = (0.51, 0.23) = buf, w = (0.949, -2.023)
  // step 2: d = (0.50949, 0.22977), buf = (0.96849, 0.43677), w = (0.852151, -2.066677)
  Two t;
  Sgd opt(t.named(), {.lr = 0.1f, .momentum = 0.9f, .nesterov = false, .weight_decay = 0.01f});
  t.grads();
  opt.step();
  check_close(t.w.to_vector(), {0.949f, -2.023f}, 1e-6, 1e-6, "w after step 1");
  t.grads();
  opt.step();
  check_close(t.w.to_vector(), {0.852151f, -2.066677f}, 1e-6, 1e-6, "w after step 2");
  // b is 1-D: no decay. buf = 0.5, then 0.95; b = 1 - 0.05 - 0.095 = 0.855
  check_close(t.b.to_vector(), {0.855f}, 1e-6, 1e-6, "1-D parameter, no decay");
}

TEST_CASE("sgd: Nesterov, two steps by hand") {
  // d = g + wd*w; buf = 0.9*buf + d; w -= lr*(d + 0.9*buf).
  // step 1: buf = d = (0.51, 0.23), update (0.969, 0.437), w = (0.9031, -2.0437)
  // step 2: d = (0.509031, 0.229563), buf = (0.968031, 0.436563),
  //         update (1.3802589, 0.6224697), w = (0.76507411, -2.10594697)
  Two t;
  Sgd opt(t.named(), {.lr = 0.1f, .momentum = 0.9f, .nesterov = true, .weight_decay = 0.01f});
  t.grads();
  opt.step();
  check_close(t.w.to_vector(), {0.9031f, -2.0437f}, 1e-6, 1e-6, "w after step 1");
  t.grads();
  opt.step();
  check_close(t.w.to_vector(), {0.76507411f, -2.10594697f}, 1e-6, 1e-6, "w after step 2");
}

TEST_CASE("sgd: decay_1d decays biases too; no momentum is plain SGD; no grad, no change") {
  Two t;
  Sgd opt(
      t.named(),
      {.lr = 0.1f, .momentum = 0.f, .nesterov = false, .weight_decay = 0.01f, .decay_1d = true});
  CHECK(opt.decays(0));
  CHECK(opt.decays(1));
  CHECK(opt.state_dict().empty());
  t.grads();
  opt.step();
  check_close(t.b.to_vector(), {1.f - 0.1f * 0.51f}, 1e-6, 1e-6, "b with decay");
  opt.zero_grad();
  CHECK_FALSE(t.w.grad().defined());
  const std::vector<float> before = t.w.to_vector();
  opt.step();  // no gradients: nothing moves
  CHECK(t.w.to_vector() == before);

  Two u;
  Sgd plain(u.named(), {.lr = 0.1f, .momentum = 0.9f, .nesterov = true, .weight_decay = 0.01f});
  CHECK(plain.decays(0));
  CHECK_FALSE(plain.decays(1));  // BatchNorm gamma/beta and biases are 1-D
}

TEST_CASE("sgd: momentum buffers round-trip through state_dict, strictly") {
  Two t;
  Sgd a(t.named(), {.lr = 0.1f, .weight_decay = 0.01f});
  t.grads();
  a.step();
  const StateDict sd = a.state_dict();
  REQUIRE(sd.size() == 2);
  CHECK(sd[0].name == "momentum.w");
  CHECK(sd[1].name == "momentum.b");
  check_close(sd[0].tensor.to_vector(), {0.51f, 0.23f}, 1e-7, 1e-6, "buffer of w");

  Two u;
  Sgd b(u.named(), {.lr = 0.1f});
  b.load_state_dict(sd);
  CHECK(b.state_dict()[0].tensor.to_vector() == sd[0].tensor.to_vector());
  StateDict wrong = {sd[0], {"momentum.b", Tensor::zeros({2}), DType::f32}};
  CHECK_THROWS_WITH_AS(b.load_state_dict(wrong), doctest::Contains("momentum.b"), Error);
  CHECK_THROWS_AS(b.load_state_dict({sd[0]}), Error);
}

TEST_CASE("schedules: one-cycle equals PyTorch's OneCycleLR (100 steps, max 0.1)") {
  // torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100), cycle_momentum off
  const std::pair<int, double> torch_values[] = {{0, 0.004},      {10, 0.029516394846410082},
                                                 {29, 0.1},       {30, 0.09994965352845243},
                                                 {64, 0.0500002}, {99, 4e-07}};
  for (auto [t, want] : torch_values)
    CHECK_MESSAGE(lr_one_cycle(t, 100, 0.1f) == doctest::Approx(want).epsilon(1e-5), "step ", t);
  CHECK(lr_at("onecycle", 29, 100, 0.1f) == doctest::Approx(0.1));
}

TEST_CASE("schedules: cosine warms up linearly, then follows half a cosine to 0") {
  CHECK(lr_cosine(0, 100, 0.1f, 10) == doctest::Approx(0.01));
  CHECK(lr_cosine(9, 100, 0.1f, 10) == doctest::Approx(0.1));
  CHECK(lr_cosine(10, 100, 0.1f, 10) == doctest::Approx(0.1));
  CHECK(lr_cosine(55, 100, 0.1f, 10) == doctest::Approx(0.05));  // halfway through the cosine
  CHECK(lr_cosine(100, 100, 0.1f, 10) == doctest::Approx(0.0).epsilon(1e-6));
  CHECK(lr_cosine(0, 100, 0.1f, 0) == doctest::Approx(0.1));
  CHECK_THROWS_AS(lr_at("step", 0, 10, 0.1f), UsageError);
}
