// tests/nn/test_nn_module.cpp - Module bookkeeping: parameters vs buffers, state_dict key
// order (PyTorch's), strict all-or-nothing load_state_dict, train/eval reaching children,
// BatchNorm2d's num_batches_tracked, init_weights statistics.
#include <cmath>

#include "nn/layers.h"
#include "tests/helpers.h"

using sl::test::error_of;

using namespace sl;
using sl::test::check_close;

namespace {

// conv (0), bn (1), relu (2): the shape of torchvision's conv1 Sequential.
std::unique_ptr<Sequential> conv_bn_relu(int64_t c_in, int64_t c_out) {
  auto s = std::make_unique<Sequential>();
  s->add(std::make_unique<Conv2d>(c_in, c_out, 3, Conv2dParams{.padding = 1}));
  s->add(std::make_unique<BatchNorm2d>(c_out));
  s->add(std::make_unique<ReLU>());
  return s;
}

class Tiny : public Module {
 public:
  Tiny() {
    body = register_module("body", conv_bn_relu(3, 4));
    fc = register_module("fc", std::make_unique<Linear>(4, 2));
  }
  Tensor forward(const Tensor& x) override { return (*fc)(mean((*body)(x), {2, 3})); }
  Sequential* body;
  Linear* fc;
};

}  // namespace

TEST_CASE("module: state_dict keys in PyTorch's order, parameters exclude buffers") {
  Tiny m;
  std::vector<std::string> names;
  for (auto& e : m.state_dict()) names.push_back(e.name);
  const std::vector<std::string> want = {"body.0.weight",      "body.1.weight",
                                         "body.1.bias",        "body.1.running_mean",
                                         "body.1.running_var", "body.1.num_batches_tracked",
                                         "fc.weight",          "fc.bias"};
  CHECK(names == want);
  CHECK(m.parameters().size() == 5);
  CHECK(m.num_params() == 4 * 3 * 9 + 4 + 4 + 4 * 2 + 2);
  for (auto& p : m.parameters()) CHECK(p.requires_grad());
  for (auto& e : m.state_dict())
    CHECK(e.dtype == (e.name == "body.1.num_batches_tracked" ? DType::i64 : DType::f32));
}

TEST_CASE("module: train/eval reach every child; BN counts batches only in training") {
  Tiny m;
  init_weights(m, 1);
  auto* bn = dynamic_cast<BatchNorm2d*>(m.body->named_children()[1].second);
  REQUIRE(bn != nullptr);
  Tensor x = sl::test::rand_tensor({2, 3, 4, 4}, 2);
  m(x);
  m(x);
  CHECK(bn->num_batches_tracked.item() == 2.f);
  m.eval();
  CHECK(!bn->is_training());
  const std::vector<float> rm = bn->running_mean.to_vector();
  m(x);
  CHECK(bn->num_batches_tracked.item() == 2.f);
  CHECK(bn->running_mean.to_vector() == rm);
  m.train();
  CHECK(bn->is_training());
}

TEST_CASE("module: forward and backward reach every parameter") {
  Tiny m;
  init_weights(m, 3);
  Tensor loss = sum((m)(sl::test::rand_tensor({2, 3, 5, 5}, 4)));
  loss.backward();
  for (auto& np : m.named_parameters()) {
    CAPTURE(np.first);
    CHECK(np.second.grad().defined());
  }
}

TEST_CASE("module: load_state_dict is strict and all-or-nothing") {
  Tiny a, b;
  init_weights(a, 1);
  init_weights(b, 2);
  const std::vector<float> b_fc = b.fc->weight.to_vector();
  b.load_state_dict(a.state_dict());
  CHECK(b.fc->weight.to_vector() == a.fc->weight.to_vector());
  // the tensors keep their identity (optimizers hold them)
  CHECK(b.parameters()[0].impl() == b.state_dict()[0].tensor.impl());

  init_weights(b, 2);
  StateDict sd = a.state_dict();
  StateDict missing(sd.begin(), sd.end() - 1);
  CHECK(error_of([&] { b.load_state_dict(missing); }) ==
        "load_state_dict: missing key 'fc.bias' (expected F32 (2))");
  StateDict extra = sd;
  extra.push_back({"fc.extra", Tensor::zeros({1}), DType::f32});
  CHECK(error_of([&] { b.load_state_dict(extra); }).find("unexpected key 'fc.extra'") !=
        std::string::npos);
  StateDict bad = sd;
  bad[0].tensor = Tensor::zeros({4, 3, 1, 1});
  bad.back().tensor = Tensor::full({2}, 5.f);  // valid, but must not be copied: the load is refused
  CHECK(error_of([&] { b.load_state_dict(bad); }) ==
        "load_state_dict: key 'body.0.weight' has shape (4,3,1,1) but the model expects (4,3,3,3)");
  CHECK(b.fc->bias.to_vector() == std::vector<float>{0.f, 0.f});
  CHECK(b.fc->weight.to_vector() == b_fc);
  StateDict wrong_type = sd;
  wrong_type[5].dtype = DType::f32;
  CHECK(error_of([&] { b.load_state_dict(wrong_type); }).find("is F32 but the model expects I64") !=
        std::string::npos);
}

TEST_CASE(
    "module: init_weights follows torchvision (Kaiming fan_out for conv, N(0, 0.01) for linear)") {
  Conv2d conv(16, 64, 3, {.padding = 1});
  init_weights(conv, 5);
  const std::vector<float> w = conv.weight.to_vector();
  double s2 = 0;
  for (float v : w) s2 += (double)v * v;
  CHECK(std::sqrt(s2 / (double)w.size()) ==
        doctest::Approx(std::sqrt(2.0 / (64 * 9))).epsilon(0.05));
  Linear fc(256, 100);
  init_weights(fc, 5);
  s2 = 0;
  for (float v : fc.weight.to_vector()) s2 += (double)v * v;
  CHECK(std::sqrt(s2 / (256.0 * 100.0)) == doctest::Approx(0.01).epsilon(0.05));
  CHECK(fc.bias.to_vector() == std::vector<float>(100, 0.f));
  Conv2d again(16, 64, 3, {.padding = 1});
  init_weights(again, 5);
  CHECK(again.weight.to_vector() == w);  // deterministic per seed
}
