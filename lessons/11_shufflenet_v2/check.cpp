// lessons/11_shufflenet_v2/check.cpp - the checker of exercise 11: takes real units out of
// built ShuffleNet V2 models (stride 2 and stride 1, widths 0.5 and 1.0), gives their
// weights (BatchNorm statistics randomised, so a forgotten BN shows) to the learner's
// v2_unit, and compares with the model's own unit. Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/check.h"
#include "lessons/06_shufflenet_v1/v1_parts.h"
#include "lessons/11_shufflenet_v2/exercise.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::Checker;

// conv "branch2.0" with its BatchNorm "branch2.1", in torchvision's names
static ConvBn conv_bn(Module& unit, const std::string& conv, const std::string& bn) {
  const auto t = [&](const std::string& k) { return lesson::tensor_of(unit, k); };
  return {t(conv + ".weight"), t(bn + ".weight"), t(bn + ".bias"), t(bn + ".running_mean"),
          t(bn + ".running_var")};
}

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 11: the ShuffleNet V2 unit\n");
  Checker check("exercise 11", "lessons/11_shufflenet_v2/exercise.cpp");
  struct Case {
    const char* model;
    const char* unit;
    int64_t stride;
  };
  const Case cases[] = {{"v2-0.5", "stage2.0", 2},
                        {"v2-0.5", "stage2.1", 1},
                        {"v2-1.0", "stage3.0", 2},
                        {"v2-1.0", "stage3.3", 1},
                        {"v2-0.5", "stage4.2", 1}};
  Generator gen(110);
  NoGradGuard no_grad;
  for (const Case& c : cases) {
    auto model = make_model(c.model, "cifar", -1, 7);
    model->eval();
    Module& unit = lesson::submodule(*model, c.unit);
    // Random BatchNorm statistics and affine parameters, so every BN changes the result.
    for (const StateEntry& e : unit.state_dict()) {
      if (e.tensor.dim() != 1 || e.name.find("num_batches") != std::string::npos) continue;
      const bool var = e.name.find("running_var") != std::string::npos;
      copy_into(e.tensor, var ? Tensor::uniform(e.tensor.shape(), gen, 0.5f, 2.f)
                              : Tensor::randn(e.tensor.shape(), gen, 0.f, 0.5f));
    }
    V2UnitWeights u;
    u.stride = c.stride;
    if (c.stride == 2) {
      u.b1_dw = conv_bn(unit, "branch1.0", "branch1.1");
      u.b1_pw = conv_bn(unit, "branch1.2", "branch1.3");
    }
    u.b2_pw1 = conv_bn(unit, "branch2.0", "branch2.1");
    u.b2_dw = conv_bn(unit, "branch2.3", "branch2.4");
    u.b2_pw2 = conv_bn(unit, "branch2.5", "branch2.6");
    const int64_t b = u.b2_pw2.w.size(0);
    const int64_t c_in = c.stride == 2 ? u.b2_pw1.w.size(1) : 2 * b;
    const Tensor x = Tensor::randn({2, c_in, 8, 8}, gen);
    const Tensor want = unit(x);
    check.run(
        str_cat(c.model, " ", c.unit, " (stride ", c.stride, "): x ", shape_str(x.shape()), " -> ",
                shape_str(want.shape())),
        [&]() -> std::string {
          const Tensor got = v2_unit(x, u);
          std::string wrong = Checker::same(got, want, 1e-4);
          // The commonest slip, named: the concatenation is right but not shuffled.
          if (!wrong.empty() && got.shape() == want.shape() &&
              Checker::same(channel_shuffle(got, 2), want, 1e-4).empty())
            return "the output is cat(...) before the shuffle: end with channel_shuffle(out, 2)";
          return wrong;
        });
  }
  return check.finish();
}
