// lessons/11_shufflenet_v2/main.cpp - the lesson's program: takes real ShuffleNet V2 units out
// of a built model and checks Fig. 3 (c) and (d) on them (split, the untouched left half, both
// branches of the down-sampling unit, the shuffle); checks the guideline behind each design
// choice on the whole network (G1-G4); profiles widths 0.5 to 2.0 at 224x224 against the
// paper's Table 5. Exit 1 if a claim fails. Not a test suite: tests/nn/test_models.cpp is.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "lessons/06_shufflenet_v1/v1_parts.h"
#include "lessons/check.h"
#include "nn/cost.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::claim;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("1. the two units of v2-1.0 (cifar), stage 3\n");
  auto model = make_model("v2-1.0", "cifar", -1, 1);
  model->eval();  // BatchNorm uses its running statistics: each unit is a fixed function
  Module& down = lesson::submodule(*model, "stage3.0");
  Module& basic = lesson::submodule(*model, "stage3.1");
  Generator gen(11);
  NoGradGuard no_grad;
  const Tensor x = Tensor::randn({1, 116, 8, 8}, gen);
  const Tensor y = down(x);
  std::printf("   stage3.0 (stride 2): x %s -> %s\n", shape_str(x.shape()).c_str(),
              shape_str(y.shape()).c_str());
  claim(y.shape() == Shape{1, 232, 4, 4}, "stride 2 halves H and W and doubles the channels");
  // A shuffle with 2 groups is undone by a shuffle with C/2 groups (lesson 01).
  const Tensor y_cat = channel_shuffle(y, 116);
  Module& b1 = lesson::submodule(down, "branch1");
  Module& b2 = lesson::submodule(down, "branch2");
  claim(lesson::diff(y_cat.narrow(1, 0, 116), b1(x)).worst < 1e-6 &&
            lesson::diff(y_cat.narrow(1, 116, 116), b2(x)).worst < 1e-6,
        "no split: both branches see all of x; unshuffled, the output is cat(branch1(x), "
        "branch2(x))");

  const Tensor& x1 = y;  // stage3.1 takes what stage3.0 gives
  const Tensor y1 = basic(x1);
  std::printf("   stage3.1 (stride 1): x %s -> %s\n", shape_str(x1.shape()).c_str(),
              shape_str(y1.shape()).c_str());
  const Tensor y1_cat = channel_shuffle(y1, 116);
  claim(lesson::diff(y1_cat.narrow(1, 0, 116), x1.narrow(1, 0, 116)).worst == 0,
        "stride 1: the left half of x passes through untouched, bit for bit (no add, no ReLU)");
  claim(lesson::diff(y1_cat.narrow(1, 116, 116),
                     lesson::submodule(basic, "branch2")(x1.narrow(1, 116, 116)))
                .worst < 1e-6,
        "the right half goes through branch2 alone: cat(x_left, branch2(x_right))");
  const std::vector<float> a = y1.to_vector(), l = x1.to_vector();
  bool interleaved = true;
  for (int64_t k = 0; k < 116; ++k)
    for (int64_t i = 0; i < 16; ++i)
      interleaved = interleaved && a[(size_t)(2 * k * 16 + i)] == l[(size_t)(k * 16 + i)];
  claim(interleaved, "after the 2-group shuffle, output channel 2k is input channel k (k < 116): "
                     "the halves interleave, so the next split mixes them");

  std::printf("\n2. the guideline behind each choice, checked on all 16 units of v2-1.0\n");
  const Profile p = profile(*model, "v2-1.0", "cifar");
  bool g1 = true;
  for (const StateEntry& e : model->state_dict()) {
    const std::string& n = e.name;
    // "stage3.1.branch2.0.weight": the unit's index is the second part of the name
    const size_t dot = n.find('.');
    const bool basic_unit = n.rfind("stage", 0) == 0 && n.compare(dot, 3, ".0.") != 0;
    if (basic_unit && (n.ends_with("branch2.0.weight") || n.ends_with("branch2.5.weight")))
      g1 = g1 && e.tensor.size(0) == e.tensor.size(1);
  }
  claim(g1, "G1: every 1x1 conv of a basic unit maps b channels to b (c1 = c2)");
  bool grouped = false, adds = false;
  for (const CategoryCost& c : by_category(p)) {
    grouped = grouped || c.category == "grouped 1x1";
    adds = adds || c.category == "element-wise";
  }
  claim(!grouped, "G2: no 1x1 convolution is grouped; the only group convs are depthwise");
  int most = 0;
  for (const BlockCost& b : p.blocks) {
    if (b.name.rfind("stage", 0) != 0) continue;
    int convs = 0;
    for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i)
      convs += p.layers[(size_t)i].type == "conv2d" ? 1 : 0;
    most = std::max(most, convs);
  }
  claim(most == 5, "G3: two branches at most, 3 convs in series on the longer one (5 in a "
                   "down-sampling unit, 3 in a basic one)");
  claim(!adds, "G4: not one element-wise add in the network; ReLU only inside the branches");
  for (const CategoryCost& c : by_category(p))
    if (c.category == "data movement")
      std::printf("   split, concat and shuffle: %d layers, %.1f%% of the MAC (the split is a "
                  "view; lesson 10 removes the copies of the other two)\n",
                  c.layers, 100.0 * c.mac / p.mac);

  std::printf("\n3. the paper's Table 5: widths 0.5 to 2.0 at 224x224, 1000 classes\n");
  std::printf("   %-7s %8s %7s %9s %7s\n", "model", "params", "paper", "MAdds", "paper");
  const char* names[] = {"v2-0.5", "v2-1.0", "v2-1.5", "v2-2.0"};
  const double paper_params[] = {1.4e6, 2.3e6, 3.5e6, 7.4e6};
  const double paper_flops[] = {41e6, 146e6, 299e6, 591e6};
  bool close = true;
  for (int i = 0; i < 4; ++i) {
    auto m = make_model(names[i], "imagenet");
    const Profile q = profile(*m, names[i], "imagenet");
    std::printf("   %-7s %7.2fM %6.1fM %8.1fM %6.0fM\n", names[i], q.params / 1e6,
                paper_params[i] / 1e6, q.madds / 1e6, paper_flops[i] / 1e6);
    close = close && std::fabs(q.params / paper_params[i] - 1) < 0.03 &&
            std::fabs(q.madds / paper_flops[i] - 1) < 0.03;
  }
  claim(close, "every width within 3% of the paper's parameters and FLOPs (the differences: "
               "torchvision's layout of the first units, docs/models.md)");
  return lesson::failures() == 0 ? 0 : 1;
}
