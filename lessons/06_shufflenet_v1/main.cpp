// lessons/06_shufflenet_v1/main.cpp - the lesson's program: takes real ShuffleNet V1
// units out of a built model and checks what Fig. 2 (b) and (c) say about them (add with
// stride 1; average-pooled shortcut and concat with stride 2), shows why stage 2's first
// 1x1 conv has groups 1, and profiles the ImageNet models for g = 1, 2, 3, 4, 8 against
// the paper's Table 1. Exit 1 if a claim fails. Not a test suite: tests/nn/test_models.cpp is.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "lessons/06_shufflenet_v1/v1_parts.h"
#include "lessons/check.h"
#include "nn/cost.h"
#include "nn/models/models.h"
#include "nn/pool.h"

using namespace sl;
using lesson::claim;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("1. the two units of v1-g3-1.0 (cifar), stage 3\n");
  auto model = make_model("v1-g3-1.0", "cifar", -1, 1);
  model->eval();  // BatchNorm uses its running statistics: each unit is a fixed function
  Module& down = lesson::submodule(*model, "stage3.0");
  Module& same = lesson::submodule(*model, "stage3.1");
  for (auto* unit : {&down, &same}) {
    std::printf("   %s:", unit == &down ? "stage3.0 (stride 2)" : "stage3.1 (stride 1)");
    for (const char* k : {"gconv1.weight", "dwconv.weight", "gconv2.weight"})
      std::printf("  %s %s", k, shape_str(lesson::tensor_of(*unit, k).shape()).c_str());
    std::printf("\n");
  }
  Generator gen(6);
  const Tensor x = Tensor::randn({1, 240, 16, 16}, gen);
  NoGradGuard no_grad;
  const Tensor y = down(x);
  std::printf("   stride 2: x %s -> %s\n", shape_str(x.shape()).c_str(),
              shape_str(y.shape()).c_str());
  claim(y.shape() == Shape{1, 480, 8, 8},
        "stride 2 halves H and W and doubles the channels (240 -> 480)");
  claim(
      lesson::tensor_of(down, "gconv2.weight").size(0) == 240,
      "its main branch makes only c_out - c_in = 240 channels; the shortcut brings the other 240");
  claim(lesson::diff(y.narrow(1, 0, 240),
                     relu(avg_pool2d(x, {.kernel = 3, .stride = 2, .padding = 1})))
                .worst < 1e-6,
        "channels 0-239 are ReLU(3x3 avg-pool, stride 2, of x): the shortcut, concatenated first");

  const Tensor& x1 = y;  // stage3.1 takes what stage3.0 gives
  copy_into(lesson::tensor_of(same, "bn3.weight"), Tensor::zeros({480}));
  copy_into(lesson::tensor_of(same, "bn3.bias"), Tensor::zeros({480}));
  const Tensor y1 = same(x1);
  claim(y1.shape() == x1.shape(), "stride 1 keeps the shape, so the shortcut can be added");
  claim(lesson::diff(y1, relu(x1)).worst < 1e-6,
        "with the last BatchNorm zeroed the main branch is 0 and the unit is exactly ReLU(x + 0)");

  // One profile per g (a real forward pass at 224x224 each), used by parts 2 and 3.
  const int groups[] = {1, 2, 3, 4, 8};
  std::vector<std::unique_ptr<Module>> models;
  std::vector<Profile> profiles;
  for (int g : groups) {
    const std::string name = "v1-g" + std::to_string(g) + "-1.0";
    models.push_back(make_model(name, "imagenet"));
    profiles.push_back(profile(*models.back(), name, "imagenet"));
  }

  std::printf("\n2. stage 2's first 1x1 conv is not grouped (imagenet, g = 3 and g = 8)\n");
  for (int i : {2, 4}) {
    const int g = groups[i];
    const Module& m = *models[i];
    const Profile& p = profiles[i];
    const Shape w0 = lesson::tensor_of(m, "stage2.0.gconv1.weight").shape();
    const Shape w1 = lesson::tensor_of(m, "stage2.1.gconv1.weight").shape();
    std::printf("   %s: stage2.0.gconv1.weight %s, stage2.1.gconv1.weight %s\n", p.model.c_str(),
                shape_str(w0).c_str(), shape_str(w1).c_str());
    claim(w0[1] == 24,
          str_cat(p.model,
                  ": stage2.0.gconv1 reads all 24 stem channels (groups 1); grouped, each "
                  "filter would see only ",
                  24 / g));
    claim(w1[1] * g == 4 * w1[0],
          "stage2.1.gconv1 is grouped: each filter reads c/g = 4m/g channels");
    int64_t first = 0;
    for (const LayerCost& l : p.layers)
      if (l.name == "stage2.0.gconv1") first = l.madds;
    std::printf("   its multiply-adds: %lld of %lld in the whole net (%.1f%%); grouping would save "
                "%.1f%%\n",
                (long long)first, (long long)p.madds, 100.0 * first / p.madds,
                100.0 * (1.0 - 1.0 / g) * first / p.madds);
    claim(first == int64_t{56} * 56 * 24 * w0[0],
          "measured: 56*56 * 24 * m multiply-adds, as for an ungrouped 1x1 conv");
    claim(first - first / g < p.madds / 20,
          "grouping it would save under 5% of the network's cost");
  }

  std::printf(
      "\n3. Table 1 of the V1 paper: 1x models at 224x224, multiply-adds without the FC layer\n");
  std::printf("   %-10s %9s %11s %16s %10s\n", "model", "stage2 c", "params", "MAdds w/o FC",
              "paper");
  const double paper[] = {143, 140, 137, 133, 137};
  const int64_t readme_params[] = {1531936, 1733848, 1865728, 1968344,
                                   2434768};  // the README's table
  for (int i = 0; i < 5; ++i) {
    const Profile& p = profiles[i];
    int64_t fc = 0;
    for (const LayerCost& l : p.layers) fc += l.type == "linear" ? l.madds : 0;
    const double mega = (p.madds - fc) / 1e6;
    const int64_t c2 = lesson::tensor_of(*models[i], "stage2.1.bn3.weight").numel();
    std::printf("   %-10s %9lld %11lld %15.1fM %9.0fM\n", p.model.c_str(), (long long)c2,
                (long long)p.params, mega, paper[i]);
    claim(fc == 1000LL * c2 * 4 && std::fabs(mega - paper[i]) / paper[i] < 0.015,
          str_cat(p.model, ": FC is 1000 x ", c2 * 4,
                  " multiply-adds; the rest is within 1.5% of the paper's ", paper[i], "M"));
    claim(p.params == readme_params[i],
          str_cat(p.model, ": ", p.params, " parameters, as the README's table says"));
  }
  std::printf("\nLook at: the 'stage2 c' column grows with g while the cost stays near 140M: that "
              "is what groups buy.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
