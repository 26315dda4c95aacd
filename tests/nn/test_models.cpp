// tests/nn/test_models.cpp - ShuffleNet V1 and V2 against docs/models.md: exact
// parameter counts and multiply-adds for every row of its table, the per-layer cost
// vectors, weight names, invalid configurations, and one training step of a whole model.
// The MAdds and MAC come from nn/cost's profile(), i.e. from a real forward pass.
#include <cmath>
#include <cstdio>

#include "core/cpu/kernels.h"
#include "nn/cost.h"
#include "nn/layers.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "tests/helpers.h"

using namespace sl;

namespace {

struct Row {
  const char* model;
  const char* variant;
  int classes;
  int64_t params;
  double madds_m;  // as printed in models.md, two decimals
};

// docs/models.md, "Reference numbers", every row.
const Row kTable[] = {
    {"v2-0.5", "cifar", 10, 352042, 10.90},
    {"v2-1.0", "cifar", 10, 1263854, 45.00},
    {"v2-1.5", "cifar", 10, 2488874, 94.26},
    {"v2-2.0", "cifar", 10, 5365486, 187.81},
    {"v1-g1-1.0", "cifar", 10, 960706, 44.55},
    {"v1-g2-1.0", "cifar", 10, 940858, 43.74},
    {"v1-g3-0.5", "cifar", 10, 242698, 11.80},
    {"v1-g3-1.0", "cifar", 10, 914338, 42.59},
    {"v1-g4-1.0", "cifar", 10, 890234, 41.53},
    {"v1-g8-1.0", "cifar", 10, 913138, 42.70},
    {"v1-g8-0.5", "cifar", 10, 250690, 12.25},
    {"v2-0.5", "imagenet", 1000, 1366792, 40.48},
    {"v2-1.0", "imagenet", 1000, 2278604, 144.91},
    {"v2-1.5", "imagenet", 1000, 3503624, 295.76},
    {"v2-2.0", "imagenet", 1000, 7393996, 583.25},
    {"v1-g3-1.0", "imagenet", 1000, 1865728, 137.46},
    {"v1-g8-1.0", "imagenet", 1000, 2434768, 138.37},
};

std::string usage_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  } catch (const Error& e) {
    return std::string("(not a UsageError) ") + e.what();
  }
  return "(no error)";
}

const LayerCost& layer(const Profile& p, const std::string& name) {
  for (const LayerCost& l : p.layers)
    if (l.name == name) return l;
  FAIL("no layer named " << name);
  return p.layers.front();
}

}  // namespace

TEST_CASE("models: parameters and multiply-adds of every row of models.md") {
  for (const Row& r : kTable) {
    CAPTURE(r.model);
    CAPTURE(r.variant);
    auto m = make_model(r.model, r.variant, r.classes);
    CHECK(m->num_params() == r.params);
    const Profile p = profile(*m, r.model, r.variant);
    CHECK(p.params == r.params);  // every parameter is used by exactly one recorded layer
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.2f", (double)p.madds / 1e6);
    char want[32];
    std::snprintf(want, sizeof want, "%.2f", r.madds_m);
    CHECK(std::string(shown) == std::string(want));
    CHECK(p.layers.back().out_shape == Shape{1, r.classes});
  }
}

TEST_CASE("models: per-layer cost vectors of models.md") {
  {
    auto m = make_model("v2-1.0", "imagenet");
    const Profile p = profile(*m, "v2-1.0", "imagenet");
    for (const char* conv : {"stage2.1.branch2.0", "stage2.1.branch2.5"}) {
      CAPTURE(conv);
      CHECK(layer(p, conv).madds == 2637376);
      CHECK(layer(p, conv).mac == 94308);
      CHECK(layer(p, conv).out_shape == Shape{1, 58, 28, 28});
    }
    CHECK(layer(p, "stage2.1.branch2.3").madds == 409248);
    CHECK(layer(p, "stage2.1.branch2.3").mac == 91466);
  }
  {
    auto m = make_model("v1-g3-1.0", "imagenet");
    const Profile p = profile(*m, "v1-g3-1.0", "imagenet");
    for (const char* conv : {"stage2.1.gconv1", "stage2.1.gconv2"}) {
      CAPTURE(conv);
      CHECK(layer(p, conv).madds == 3763200);
      CHECK(layer(p, conv).mac == 240000);
    }
    CHECK(layer(p, "stage2.1.dwconv").madds == 423360);
    CHECK(layer(p, "stage2.1.dwconv").mac == 94620);
  }
  {
    auto m = make_model("v2-0.5", "cifar");
    const Profile p = profile(*m, "v2-0.5", "cifar");
    int64_t conv_mac = 0;
    for (const LayerCost& l : p.layers)
      if (l.type == "conv2d") conv_mac += l.mac;
    CHECK(conv_mac == 884752);
  }
}

TEST_CASE("profile: layer names, blocks and stages add up") {
  auto m = make_model("v2-0.5", "cifar");
  const Profile p = profile(*m, "v2-0.5", "cifar", {.time = true, .repeats = 2});
  CHECK(p.input == Shape{1, 3, 32, 32});
  CHECK(p.layers.front().name == "conv1.0");
  CHECK(layer(p, "stage2.1.channel_split").mac == 0);          // views
  CHECK(layer(p, "stage2.1.concat").mac == 2 * 48 * 16 * 16);  // a copy
  CHECK(layer(p, "stage2.1.channel_shuffle").out_shape == Shape{1, 48, 16, 16});
  CHECK(layer(p, "global_avg_pool").out_shape == Shape{1, 1024});
  CHECK(layer(p, "fc").madds == 10240);
  std::vector<std::string> blocks;
  for (const BlockCost& b : p.blocks) blocks.push_back(b.name);
  CHECK(blocks.size() == 1 + 16 + 3);  // conv1, 16 units, conv5, pool, fc
  CHECK(blocks[1] == "stage2.0");
  CHECK(blocks[16] == "stage4.3");
  REQUIRE(p.stages.size() == 7);  // conv1, stage2-4, conv5, global_avg_pool, fc
  CHECK(p.stages[2].name == "stage3");
  CHECK(p.stages[2].num_layers ==
        p.blocks[5].num_layers + 7 * p.blocks[6].num_layers);  // (d) + 7 x (c)
  int64_t params = 0, madds = 0, mac = 0;
  double t = 0;
  for (const BlockCost& b : p.blocks) {
    params += b.params;
    madds += b.madds;
    mac += b.mac;
    t += b.time_ms;
  }
  CHECK(params == p.params);
  CHECK(madds == p.madds);
  CHECK(mac == p.mac);
  CHECK(p.timed);
  CHECK(t == doctest::Approx(p.time_ms));
  CHECK(p.time_ms > 0);
  CHECK(m->is_training());  // profile restores the mode
}

TEST_CASE("profile: kind and category label every layer") {
  auto v1 = make_model("v1-g3-1.0", "imagenet");
  const Profile p1 = profile(*v1, "v1-g3-1.0", "imagenet");
  auto label = [&](const Profile& p, const char* name) {
    return layer(p, name).kind + " | " + layer(p, name).category;
  };
  CHECK(label(p1, "conv1.0") == "3x3 s2 | conv kxk");
  CHECK(label(p1, "conv1.1") == "bn | batchnorm");
  CHECK(label(p1, "conv1.2") == "relu | relu");
  CHECK(label(p1, "maxpool") == "maxpool 3x3 s2 | pool");
  CHECK(label(p1, "stage2.0.gconv1") == "1x1 | conv 1x1");
  CHECK(label(p1, "stage2.1.gconv1") == "1x1 g=3 | grouped 1x1");
  CHECK(label(p1, "stage2.0.dwconv") == "3x3 dw s2 | depthwise");
  CHECK(label(p1, "stage2.1.dwconv") == "3x3 dw s1 | depthwise");
  CHECK(label(p1, "stage2.0.avg_pool2d") == "avgpool 3x3 s2 | pool");
  CHECK(label(p1, "stage2.0.concat") == "concat | data movement");
  CHECK(label(p1, "stage2.1.add") == "add | element-wise");
  CHECK(label(p1, "stage2.1.channel_shuffle") == "shuffle | data movement");
  CHECK(label(p1, "global_avg_pool") == "global avgpool | pool");
  CHECK(label(p1, "fc") == "linear | linear");
  auto v2 = make_model("v2-0.5", "cifar");
  const Profile p2 = profile(*v2, "v2-0.5", "cifar");
  CHECK(label(p2, "stage2.1.channel_split") == "split | data movement");
  const std::vector<std::string> categories = {"conv 1x1",     "grouped 1x1",   "depthwise",
                                               "conv kxk",     "batchnorm",     "relu",
                                               "element-wise", "data movement", "pool",
                                               "linear"};
  for (const Profile* p : {&p1, &p2})
    for (const LayerCost& l : p->layers) {
      CAPTURE(l.name);
      CHECK(!l.kind.empty());
      CHECK(std::find(categories.begin(), categories.end(), l.category) != categories.end());
    }
}

TEST_CASE("profile: a batch scales MAdds and activations, not the weights") {
  auto m = make_model("v2-0.5", "cifar");
  const Profile one = profile(*m, "v2-0.5", "cifar");
  const Profile four = profile(*m, "v2-0.5", "cifar", {.batch = 4});
  CHECK(four.input == Shape{4, 3, 32, 32});
  CHECK(four.params == one.params);
  CHECK(four.madds == 4 * one.madds);
  REQUIRE(four.layers.size() == one.layers.size());
  const LayerCost& c1 = layer(one, "stage2.1.branch2.0");  // 1x1 conv 24 -> 24 at 16x16
  const LayerCost& c4 = layer(four, "stage2.1.branch2.0");
  CHECK(c4.out_shape == Shape{4, 24, 16, 16});
  CHECK(c4.mac == 4 * (c1.mac - 24 * 24) + 24 * 24);  // the weights are read once per call
  CHECK(layer(four, "stage2.1.concat").mac == 4 * layer(one, "stage2.1.concat").mac);
}

TEST_CASE("profile: timed layers carry the median and its spread") {
  auto m = make_model("v1-g3-0.5", "cifar");
  const Profile p = profile(*m, "v1-g3-0.5", "cifar", {.time = true, .repeats = 3});
  double min_sum = 0;
  for (const LayerCost& l : p.layers) {
    CAPTURE(l.name);
    CHECK(l.time_min_ms > 0);
    CHECK(l.time_min_ms <= l.time_ms);
    CHECK(l.time_ms <= l.time_max_ms);
    min_sum += l.time_min_ms;
  }
  for (const BlockCost& b : p.blocks) {
    CAPTURE(b.name);
    CHECK(b.time_min_ms <= b.time_max_ms);
    CHECK(b.time_min_ms > 0);
  }
  CHECK(p.time_min_ms <= p.time_max_ms);
  CHECK(p.time_min_ms >=
        min_sum * (1 - 1e-9));  // a repeat's total is at least the sum of layer minima
  const Profile untimed = profile(*m, "v1-g3-0.5", "cifar");
  CHECK(untimed.layers[0].time_min_ms == 0);
  CHECK(untimed.time_max_ms == 0);
}

namespace {
int g_syncs = 0;
void counting_synchronize() { ++g_syncs; }
}  // namespace

TEST_CASE("profile: timing synchronizes the device at both ends of every layer") {
  // A CPU table whose synchronize counts its calls stands in for an asynchronous device.
  Backend counting = cpu::table();
  counting.synchronize = counting_synchronize;
  auto m = make_model("v2-0.5", "cifar");
  g_syncs = 0;
  override_backend_for_testing(Device::cpu, &counting);
  Profile timed, untimed;
  try {
    timed = profile(*m, "v2-0.5", "cifar", {.time = true, .repeats = 2});
    const int after_timed = g_syncs;
    untimed = profile(*m, "v2-0.5", "cifar");
    CHECK(g_syncs == after_timed);  // counting costs no synchronization
  } catch (...) {
    override_backend_for_testing(Device::cpu, nullptr);
    throw;
  }
  override_backend_for_testing(Device::cpu, nullptr);
  CHECK(g_syncs == 2 * (int)timed.layers.size() * 3);  // a warm-up run and 2 timed repeats
}

TEST_CASE("models: V1 shuffles in every unit when g > 1, the first unit of stage 2 included") {
  for (const char* name : {"v1-g3-1.0", "v1-g8-0.5", "v1-g1-1.0"}) {
    CAPTURE(name);
    auto m = make_model(name, "cifar");
    const Profile p = profile(*m, name, "cifar");
    const int64_t g = parse_model_name(name).groups;
    int units = 0, shuffles = 0;
    for (const BlockCost& b : p.blocks) {
      if (b.name.rfind("stage", 0) != 0) continue;
      ++units;
      for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i)
        if (p.layers[(size_t)i].type == "channel_shuffle") ++shuffles;
    }
    CHECK(units == 16);
    CHECK(shuffles == (g > 1 ? 16 : 0));
    if (g > 1) {
      // stage2.0: gconv1 has groups 1 (24 input channels), yet the shuffle follows bn1 ReLU
      CHECK(layer(p, "stage2.0.gconv1").kind == "1x1");
      const LayerCost& s = layer(p, "stage2.0.channel_shuffle");
      CHECK(s.out_shape == layer(p, "stage2.0.bn1").out_shape);
      CHECK(s.mac == 2 * layer(p, "stage2.0.bn1").out_shape[1] * 32 * 32);
      CHECK(layer(p, "stage2.0.gconv2").kind == "1x1 g=" + std::to_string(g));
    }
  }
  // The stage2.0 shuffle is really on the path: making it the identity (groups 1) with the
  // same weights changes the model's output.
  auto m = make_model("v1-g3-0.5", "cifar", 10, 3);
  m->eval();
  Tensor x = sl::test::rand_tensor({1, 3, 32, 32}, 9);
  const std::vector<float> with = (*m)(x).to_vector();
  auto* stage2 = m->named_children()[1].second;
  auto* unit0 = stage2->named_children()[0].second;
  ChannelShuffle* shuffle = nullptr;
  for (auto& [n, c] : unit0->named_children())
    if (n == "channel_shuffle") shuffle = dynamic_cast<ChannelShuffle*>(c);
  REQUIRE(shuffle != nullptr);
  shuffle->groups = 1;  // the identity permutation
  CHECK((*m)(x).to_vector() != with);
}

TEST_CASE("models: torchvision / models.md weight names") {
  auto v2 = make_model("v2-0.5", "imagenet");
  std::vector<std::string> names;
  for (auto& e : v2->state_dict()) names.push_back(e.name);
  const std::vector<std::string> head = {"conv1.0.weight",
                                         "conv1.1.weight",
                                         "conv1.1.bias",
                                         "conv1.1.running_mean",
                                         "conv1.1.running_var",
                                         "conv1.1.num_batches_tracked",
                                         "stage2.0.branch1.0.weight",
                                         "stage2.0.branch1.1.weight"};
  CHECK(std::vector<std::string>(names.begin(), names.begin() + 8) == head);
  auto has = [&](const std::string& k) {
    return std::find(names.begin(), names.end(), k) != names.end();
  };
  for (const char* k :
       {"stage2.0.branch1.2.weight", "stage2.0.branch1.3.running_var", "stage2.0.branch2.0.weight",
        "stage2.0.branch2.3.weight", "stage2.0.branch2.4.bias", "stage2.0.branch2.5.weight",
        "stage2.0.branch2.6.num_batches_tracked", "stage4.3.branch2.5.weight", "conv5.0.weight",
        "conv5.1.running_mean", "fc.weight", "fc.bias"})
    CHECK_MESSAGE(has(k), k);
  CHECK(!has("stage2.1.branch1.0.weight"));
  auto v1 = make_model("v1-g3-1.0", "cifar");
  names.clear();
  for (auto& e : v1->state_dict()) names.push_back(e.name);
  for (const char* k :
       {"conv1.0.weight", "conv1.1.bias", "stage2.0.gconv1.weight", "stage2.0.bn1.running_mean",
        "stage2.0.dwconv.weight", "stage2.0.bn2.weight", "stage2.0.gconv2.weight",
        "stage2.0.bn3.num_batches_tracked", "stage4.3.gconv2.weight", "fc.weight", "fc.bias"})
    CHECK_MESSAGE(has(k), k);
}

TEST_CASE("models: unknown names and invalid configurations are usage errors naming the numbers") {
  CHECK(usage_error_of([] { make_model("v1-g2-0.5"); }) ==
        "v1-g2-0.5: stage2.0.gconv2: C_in = 25 and C_out = 76 must both be divisible by groups 2 "
        "(try another scale or groups)");
  CHECK(usage_error_of([] { make_model("v2-0.7"); }).find("widths are 0.5, 1.0, 1.5, 2.0") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("v1-g5-1.0"); }).find("groups are 1, 2, 3, 4, 8") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("v1-g3"); }).find("unknown model 'v1-g3'") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("resnet50"); }).find("unknown model 'resnet50'") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("v2-1.0", "mnist"); }).find("unknown variant 'mnist'") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("v2-1.0", "cifar", 0); }).find("--classes") !=
        std::string::npos);
  CHECK(usage_error_of([] { make_model("v1-g3-0.5x"); }).find("scale") != std::string::npos);
  CHECK(parse_model_name("v1-g8-0.5").groups == 8);
  CHECK(parse_model_name("v2-1", "imagenet").classes == 1000);
}

TEST_CASE("models: a training step of a whole model lowers the loss on its batch") {
  for (const char* name : {"v2-0.5", "v1-g3-0.5"}) {
    CAPTURE(name);
    auto m = make_model(name, "cifar", 10, 7);
    Tensor x = sl::test::rand_tensor({4, 3, 32, 32}, 8);
    const std::vector<int> y = {0, 3, 5, 9};
    Tensor loss = cross_entropy((*m)(x), y);
    CHECK(std::isfinite(loss.item()));
    loss.backward();
    NoGradGuard no_grad;
    double g2 = 0;  // |gradient|^2 over every parameter
    for (auto& np : m->named_parameters()) {
      CAPTURE(np.first);
      REQUIRE(np.second.grad().defined());
      g2 += sum(np.second.grad() * np.second.grad()).item();
    }
    // A plain SGD step sized so that, to first order, the loss drops by lr * |g|^2 = 0.1.
    // A wrong gradient would not give most of that drop.
    const float lr = (float)(0.1 / g2);
    for (auto& np : m->named_parameters()) copy_into(np.second, np.second - np.second.grad() * lr);
    const float after = cross_entropy((*m)(x), y).item();
    CHECK(after < loss.item() - 0.05f);
  }
}

TEST_CASE(
    "models: fused BN + ReLU and concat + shuffle rows, and the unfused model as their twin") {
  auto v2 = make_model("v2-0.5", "cifar");
  const Profile p2 = profile(*v2, "v2-0.5", "cifar", {.time = true, .repeats = 2});
  // a ReLU after a BatchNorm runs in it; the V2 unit's shuffle runs in its concat
  CHECK(layer(p2, "conv1.2").fused_into == "bn");
  CHECK(layer(p2, "stage2.1.branch2.2").fused_into == "bn");
  CHECK(layer(p2, "stage2.1.branch2.7").fused_into == "bn");
  CHECK(layer(p2, "stage2.1.branch2.4").fused_into.empty());  // BN then a conv: not fused
  CHECK(layer(p2, "stage2.0.branch1.4").fused_into == "bn");
  CHECK(layer(p2, "stage2.1.channel_shuffle").fused_into == "concat");
  CHECK(layer(p2, "stage2.1.concat").fused_into.empty());
  CHECK(layer(p2, "conv5.2").fused_into == "bn");
  auto v1 = make_model("v1-g3-0.5", "cifar");
  const Profile p1 = profile(*v1, "v1-g3-0.5", "cifar");
  CHECK(layer(p1, "stage2.1.relu").fused_into == "bn");             // after bn1
  CHECK(layer(p1, "stage2.1.relu_1").fused_into.empty());           // after the residual add
  CHECK(layer(p1, "stage2.1.channel_shuffle").fused_into.empty());  // V1 shuffles after BN ReLU
  CHECK(layer(p1, "conv1.2").fused_into == "bn");

  // The CPU table without the fused kernels makes batch_norm_relu and cat_shuffle run their
  // reference compositions: a training step must give the same logits, gradients and running
  // statistics, to the last bit (the same kernels' sums in the same order, and pure copies).
  Backend unfused = cpu::table();
  unfused.batchnorm_relu_forward = nullptr;
  unfused.batchnorm_relu_backward = nullptr;
  unfused.cat_shuffle = nullptr;
  unfused.cat_shuffle_backward = nullptr;
  unfused.batchnorm_running = nullptr;
  for (const char* name : {"v2-0.5", "v1-g3-0.5"}) {
    CAPTURE(name);
    const Tensor x = sl::test::rand_tensor({3, 3, 32, 32}, 9);
    StateDict after[2];
    Tensor logits[2];
    for (int fused = 0; fused < 2; ++fused) {
      auto m = make_model(name, "cifar", 10, 11);
      if (!fused) override_backend_for_testing(Device::cpu, &unfused);
      try {
        logits[fused] = (*m)(x);
        cross_entropy(logits[fused], {1, 4, 7}).backward();
      } catch (...) {
        override_backend_for_testing(Device::cpu, nullptr);
        throw;
      }
      override_backend_for_testing(Device::cpu, nullptr);
      after[fused] = m->state_dict();
      for (auto& [n, t] : m->named_parameters()) after[fused].push_back({n + ".grad", t.grad()});
    }
    CHECK(logits[0].to_vector() == logits[1].to_vector());
    REQUIRE(after[0].size() == after[1].size());
    for (size_t i = 0; i < after[0].size(); ++i) {
      CAPTURE(after[0][i].name);
      CHECK(after[0][i].tensor.to_vector() == after[1][i].tensor.to_vector());
    }
  }
}
