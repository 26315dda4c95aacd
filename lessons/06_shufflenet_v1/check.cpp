// lessons/06_shufflenet_v1/check.cpp - the checker of exercise 06: takes real units out of
// built ShuffleNet V1 models (stride 2 and stride 1, g = 3 and g = 2), gives their weights
// (BatchNorm statistics randomised, so a forgotten BN shows) to the learner's v1_unit, and
// compares with the model's own unit. Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/check.h"
#include "lessons/06_shufflenet_v1/exercise.h"
#include "lessons/06_shufflenet_v1/v1_parts.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::Checker;

static ConvBn conv_bn(Module& unit, const std::string& conv, const std::string& bn) {
  const auto t = [&](const std::string& k) { return lesson::tensor_of(unit, k); };
  return {t(conv + ".weight"), t(bn + ".weight"), t(bn + ".bias"), t(bn + ".running_mean"),
          t(bn + ".running_var")};
}

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 06: the ShuffleNet V1 unit\n");
  Checker check("exercise 06", "lessons/06_shufflenet_v1/exercise.cpp");
  struct Case {
    const char* model;
    const char* unit;
    int64_t stride, groups;
  };
  const Case cases[] = {
      {"v1-g3-0.5", "stage3.0", 2, 3}, {"v1-g3-0.5", "stage3.1", 1, 3},
      {"v1-g2-1.0", "stage4.0", 2, 2}, {"v1-g2-1.0", "stage4.2", 1, 2},
      {"v1-g1-0.5", "stage3.1", 1, 1},
  };
  Generator gen(60);
  NoGradGuard no_grad;
  for (const Case& c : cases) {
    auto model = make_model(c.model, "cifar", -1, 7);
    model->eval();
    Module& unit = lesson::submodule(*model, c.unit);
    // Random BatchNorm statistics and affine parameters, so every BN changes the result.
    for (const StateEntry& e : unit.state_dict()) {
      if (e.name.find("bn") != 0 || e.name.find("num_batches") != std::string::npos) continue;
      const bool var = e.name.find("running_var") != std::string::npos;
      copy_into(e.tensor, var ? Tensor::uniform(e.tensor.shape(), gen, 0.5f, 2.f)
                              : Tensor::randn(e.tensor.shape(), gen, 0.f, 0.5f));
    }
    const int64_t c_in = lesson::tensor_of(unit, "gconv1.weight").size(1) * c.groups;
    const Tensor x = Tensor::randn({2, c_in, 8, 8}, gen);
    const Tensor want = unit(x);
    V1UnitWeights u{conv_bn(unit, "gconv1", "bn1"),
                    conv_bn(unit, "dwconv", "bn2"),
                    conv_bn(unit, "gconv2", "bn3"),
                    c.stride,
                    c.groups,
                    c.groups};
    check.run(str_cat(c.model, " ", c.unit, " (stride ", c.stride, ", g = ", c.groups, "): x ",
                      shape_str(x.shape()), " -> ", shape_str(want.shape())),
              [&] { return Checker::same(v1_unit(x, u), want, 1e-4); });
  }
  return check.finish();
}
