// tests/nn/test_nn_goldens.cpp - the nn/ layers and a whole ShuffleNet V2 against PyTorch:
// assets/goldens/*.safetensors, made by scripts/make_goldens.py (see its header to
// regenerate). Loading them also exercises nn/safetensors and torchvision key names.
#include <map>

#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "nn/pool.h"
#include "nn/safetensors.h"
#include "tests/helpers.h"

using namespace sl;
using sl::test::check_close;

namespace {

std::string golden_path(const std::string& file) {
  return std::string(SL_SOURCE_DIR) + "/assets/goldens/" + file;
}

std::map<std::string, Tensor> golden(const std::string& file) {
  std::map<std::string, Tensor> out;
  for (auto& e : safetensors_read(golden_path(file)).tensors) out[e.name] = e.tensor;
  return out;
}

Tensor grad_leaf(const Tensor& t) { return t.detach().clone().requires_grad_(true); }

}  // namespace

TEST_CASE("goldens: conv2d group, depthwise, strided, 1x1 group") {
  auto g = golden("conv2d.safetensors");
  struct Case {
    const char* name;
    Conv2dParams p;
  };
  for (const Case& c : {Case{"group", {.stride = 1, .padding = 1, .groups = 2}},
                        Case{"dw", {.stride = 2, .padding = 1, .groups = 4}},
                        Case{"strided", {.stride = 2, .padding = 0}}, Case{"pw", {.groups = 3}}}) {
    const std::string k = c.name;
    CAPTURE(k);
    Tensor x = grad_leaf(g[k + ".x"]), w = grad_leaf(g[k + ".w"]);
    Tensor y = conv2d(x, w, c.p);
    check_close(y, g[k + ".out"], 1e-4, 1e-4, k + ".out");
    y.backward(g[k + ".dout"]);
    check_close(x.grad(), g[k + ".dx"], 1e-4, 1e-4, k + ".dx");
    check_close(w.grad(), g[k + ".dw"], 1e-4, 1e-4, k + ".dw");
  }
}

TEST_CASE("goldens: batch_norm train and eval, running statistics included") {
  auto g = golden("batchnorm.safetensors");
  for (const std::string k : {"train", "eval"}) {
    CAPTURE(k);
    Tensor x = grad_leaf(g[k + ".x"]), gamma = grad_leaf(g[k + ".gamma"]),
           beta = grad_leaf(g[k + ".beta"]);
    Tensor rm = g[k + ".running_mean"].clone(), rv = g[k + ".running_var"].clone();
    Tensor y = batch_norm(x, gamma, beta, rm, rv, {.training = k == "train"});
    check_close(y, g[k + ".out"], 1e-4, 1e-4, k + ".out");
    check_close(rm, g[k + ".running_mean_after"], 1e-6, 1e-5, k + ".running_mean");
    check_close(rv, g[k + ".running_var_after"], 1e-6, 1e-5, k + ".running_var");
    y.backward(g[k + ".dout"]);
    check_close(x.grad(), g[k + ".dx"], 1e-4, 1e-4, k + ".dx");
    check_close(gamma.grad(), g[k + ".dgamma"], 1e-4, 1e-4, k + ".dgamma");
    check_close(beta.grad(), g[k + ".dbeta"], 1e-4, 1e-4, k + ".dbeta");
  }
}

TEST_CASE("goldens: max and average pooling (3x3, stride 2, padding 1)") {
  auto g = golden("pool.safetensors");
  for (const std::string k : {"max", "avg"}) {
    CAPTURE(k);
    Tensor x = grad_leaf(g[k + ".x"]);
    const Pool2dParams p{.kernel = 3, .stride = 2, .padding = 1};
    Tensor y = k == "max" ? max_pool2d(x, p) : avg_pool2d(x, p);
    check_close(y, g[k + ".out"], 1e-6, 1e-5, k + ".out");
    y.backward(g[k + ".dout"]);
    check_close(x.grad(), g[k + ".dx"], 1e-6, 1e-5, k + ".dx");
  }
}

TEST_CASE("goldens: cross_entropy with and without label smoothing") {
  auto g = golden("loss.safetensors");
  for (const std::string k : {"plain", "smooth"}) {
    CAPTURE(k);
    Tensor logits = grad_leaf(g[k + ".logits"]);
    Tensor loss =
        cross_entropy(logits, g[k + ".labels"], {.label_smoothing = k == "smooth" ? 0.1f : 0.f});
    CHECK(loss.item() == doctest::Approx(g[k + ".loss"].item()).epsilon(1e-5));
    loss.backward();
    check_close(logits.grad(), g[k + ".dlogits"], 1e-6, 1e-4, k + ".dlogits");
  }
}

TEST_CASE(
    "goldens: torchvision's shufflenet_v2_x0_5 (CIFAR stem) weights load and give its logits") {
  auto model = make_model("v2-0.5", "cifar");
  load_weights(*model, golden_path("v2_0.5_cifar_weights.safetensors"));
  auto io = golden("v2_0.5_cifar_io.safetensors");
  model->eval();
  {
    NoGradGuard no_grad;
    check_close((*model)(io["input"]), io["logits"], 1e-4, 1e-3, "eval logits");
  }
  // Training mode: batch statistics, and the running statistics move like PyTorch's.
  model->train();
  NoGradGuard no_grad;
  check_close((*model)(io["input"]), io["logits_train"], 1e-4, 1e-3, "train logits");
  for (auto& e : model->state_dict()) {
    if (e.name == "stage2.0.branch2.1.running_mean")
      check_close(e.tensor, io["stage2.0.branch2.1.running_mean"], 1e-5, 1e-4, e.name);
    if (e.name == "stage2.0.branch2.1.num_batches_tracked") CHECK(e.tensor.item() == 8.f);
  }
}
