// tests/nn/test_infer_eval.cpp - evaluate_with_plan (nn/infer.h), the CPU path of
// `shufflelab eval`, against evaluate_forward() (nn/train.h), the model's own eval-mode forward:
// the same logits to float rounding, image by image, the last smaller batch included, and the same
// accuracy to one image. Once on synthetic CIFAR files (always), once with the shipped trained
// model on real test images (skipped, with a message, where CIFAR-10 is absent). Not here: the plan
// itself (tests/nn/test_infer.cpp), the command's flags (tests/apps/).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "nn/infer.h"
#include "nn/models/models.h"
#include "nn/train.h"
#include "tests/nn/train_fixtures.h"

using namespace sl;
using namespace sl::test;

namespace {

// Mean cross-entropy of logits [N, K] (row n for image n) against the labels, in double.
double mean_cross_entropy(const std::vector<float>& logits, const std::vector<uint8_t>& labels) {
  const size_t n = labels.size(), k = logits.size() / n;
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * k;
    const double top = *std::max_element(row, row + k);
    double sum = 0;
    for (size_t j = 0; j < k; ++j) sum += std::exp((double)row[j] - top);
    total += top + std::log(sum) - row[labels[i]];
  }
  return total / (double)n;
}

// Tolerance: the plan adds in another order (BatchNorm folded into the weights, the bias after
// the product), so each image's logits agree with the module path's to float rounding. Relative
// to the image's largest |logit|, 1e-4: ~1e-6 is typical; a real fault (a wrong fold, a wrong
// row of the last batch) is off by far more.
constexpr double kRelative = 1e-4;

// Runs both paths on `data` in batches of `batch` and checks logits, loss and accuracy.
void check_plan_equals_module(Module& model, const Cifar10& data, int64_t batch) {
  std::vector<float> want, got;
  const double acc_module = evaluate_forward(model, data, batch, &want);
  const double acc_plan = evaluate_with_plan(model, data, batch, &got);
  // evaluate(), what train, eval and the app call, takes the plan on the CPU: the same bits.
  std::vector<float> dispatched;
  CHECK(evaluate(model, data, batch, &dispatched) == acc_plan);
  CHECK(dispatched == got);
  const int64_t n = data.size();
  REQUIRE(want.size() == (size_t)(n * kCifarClasses));
  REQUIRE(got.size() == want.size());
  double worst = 0;  // the largest difference seen, relative to its image's scale
  for (int64_t i = 0; i < n; ++i) {
    const float* w = want.data() + i * kCifarClasses;
    const float* g = got.data() + i * kCifarClasses;
    double scale = 1e-3, diff = 0;  // floor: an image whose logits are all ~0
    for (int k = 0; k < kCifarClasses; ++k) {
      scale = std::max(scale, (double)std::fabs(w[k]));
      diff = std::max(diff, (double)std::fabs(g[k] - w[k]));
    }
    worst = std::max(worst, diff / scale);
    if (!(diff <= kRelative * scale)) {
      FAIL_CHECK("image ", i, " (batch ", i / batch, "): logits differ by ", diff,
                 " at a scale of ", scale);
      break;
    }
  }
  MESSAGE(n, " images in batches of ", batch, ": largest logit difference ", worst,
          " of the image's largest |logit|; accuracy ", acc_plan, " (plan) vs ", acc_module,
          " (module)");
  // argmax may flip on a near-tie: at most one image of difference
  CHECK(std::fabs(acc_plan - acc_module) * (double)n <= 1.0 + 1e-9);
  CHECK(mean_cross_entropy(got, data.labels) ==
        doctest::Approx(mean_cross_entropy(want, data.labels)).epsilon(1e-5));
}

}  // namespace

TEST_CASE("evaluate_with_plan equals evaluate on synthetic images, full and last batches") {
  // Batches of: fewer than n (full batches and a shorter last one: two plans), more than n
  // (only the short plan), exactly n (only the full one).
#ifdef SL_SANITIZED
  const int64_t n = 21, batches[] = {8, 32, 21};  // ~10x slower under the sanitizers
#else
  const int64_t n = 45, batches[] = {16, 64, 45};
#endif
  TempDir dir("plan_eval");
  write_cifar_dir(dir.path.string(), 1, n, true);
  const Cifar10 test = cifar10_load(dir.path.string(), false);
  REQUIRE(test.size() == n);
  for (const char* name : {"v2-0.5", "v1-g3-0.5"}) {
    CAPTURE(name);
    auto model = make_model(name, "cifar", kCifarClasses, 3);
    {  // running statistics away from a fresh BatchNorm's (0, 1), so that folding them matters
      NoGradGuard no_grad;
      Generator g(5);
      for (int i = 0; i < 3; ++i) (*model)(Tensor::uniform({8, 3, 32, 32}, g, -1.f, 2.f));
    }
    for (const int64_t batch : batches) {
      CAPTURE(batch);
      check_plan_equals_module(*model, test, batch);
    }
  }
}

TEST_CASE("evaluate_with_plan on the trained asset: the module path's logits and accuracy") {
  const std::string data = real_cifar_dir();
  if (data.empty()) {
    MESSAGE("skipped: CIFAR-10 not found ($SHUFFLELAB_DATA, or data/cifar-10-batches-bin from "
            "scripts/get-cifar10)");
    return;
  }
#ifdef SL_SANITIZED
  const int64_t n = 100, batch = 32;  // ~10x slower under the sanitizers: 3 full + 1 of 4
#else
  const int64_t n = 300, batch = 128;  // 2 full batches + a last one of 44
#endif
  auto model = make_model("v2-0.5", "cifar", kCifarClasses, 0);
  load_model_weights(*model, std::string(SL_SOURCE_DIR) +
                                 "/assets/models/v2-0.5-cifar10/model.safetensors");
  const Cifar10 test = cifar10_load(data, false, n);
  check_plan_equals_module(*model, test, batch);
}
