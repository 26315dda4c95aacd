// lessons/05_group_conv/main.cpp - the lesson's program: measures (with nn/cost) how
// groups divide a convolution's multiply-adds, checks the article's three unit formulas
// hw(2cm + 9m^2), hw(2cm + 9m^2/g), hw(2cm/g + 9m) against measured numbers, and shows
// with gradients why stacked group convolutions never mix groups until a channel shuffle
// does (V1 Fig. 1). Exit 1 if a claim fails. Not a test suite: tests/nn/ is.
#include <cstdio>

#include "core/tensor.h"
#include "lessons/05_group_conv/units.h"
#include "lessons/check.h"
#include "nn/conv2d.h"

using namespace sl;
using lesson::claim;

static lesson::Measured one_conv(int64_t c_in, int64_t c_out, int64_t k, int64_t groups,
                                 int64_t hw) {
  auto s = std::make_unique<Sequential>();
  s->add(
      std::make_unique<Conv2d>(c_in, c_out, k, Conv2dParams{.padding = k / 2, .groups = groups}));
  return lesson::measure(c_in, hw, std::move(s));
}

// Which input channels can influence output channel j: the nonzero entries of
// d(sum of out[:, j]) / dx. All weights are positive, so no sum cancels by accident.
static std::vector<std::string> influence(int64_t C, int64_t g, int layers, bool shuffle) {
  std::vector<Tensor> ws;
  ws.reserve(layers);
  for (int l = 0; l < layers; ++l) ws.push_back(Tensor::ones({C, C / g, 1, 1}));
  std::vector<std::string> rows;
  for (int64_t j = 0; j < C; ++j) {
    Tensor x = Tensor::ones({1, C, 1, 1}).requires_grad_();
    Tensor h = x;
    for (int l = 0; l < layers; ++l) {
      h = conv2d(h, ws[l], {.groups = g});
      if (shuffle && l + 1 < layers) h = channel_shuffle(h, g);
    }
    sum(h.narrow(1, j, 1)).backward();
    std::string row;
    for (float d : x.grad().to_vector()) row += d != 0 ? '#' : '.';
    rows.push_back(row);
  }
  return rows;
}

// The input groups (blocks of C/g channels) that row j touches.
static int groups_touched(const std::string& row, int64_t g) {
  const int64_t per = (int64_t)row.size() / g;
  int n = 0;
  for (int64_t k = 0; k < g; ++k) n += row.substr(k * per, per).find('#') != std::string::npos;
  return n;
}

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  const int64_t hw = 28, c = 240, m = 60, g = 3;  // ShuffleNet V1 g = 3, stage 2 (ImageNet)
  std::printf("1. one convolution at %lldx%lld, measured by nn/cost (multiply-adds, params)\n",
              (long long)hw, (long long)hw);
  const lesson::Measured full = one_conv(c, c, 1, 1, hw), grouped = one_conv(c, c, 1, g, hw);
  const lesson::Measured k3 = one_conv(m, m, 3, 1, hw), dw = one_conv(m, m, 3, m, hw);
  std::printf("   1x1 %lld -> %lld, groups 1 : %10lld MAdds %7lld params\n", (long long)c,
              (long long)c, (long long)full.madds, (long long)full.params);
  std::printf("   1x1 %lld -> %lld, groups %lld : %10lld MAdds %7lld params\n", (long long)c,
              (long long)c, (long long)g, (long long)grouped.madds, (long long)grouped.params);
  std::printf("   3x3 %lld -> %lld, groups 1 : %10lld MAdds %7lld params\n", (long long)m,
              (long long)m, (long long)k3.madds, (long long)k3.params);
  std::printf("   3x3 %lld -> %lld, depthwise: %10lld MAdds %7lld params\n", (long long)m,
              (long long)m, (long long)dw.madds, (long long)dw.params);
  claim(full.madds == hw * hw * c * c && grouped.madds * g == full.madds,
        "groups g divide a convolution's multiply-adds by g: hw * c_in * c_out / g");
  claim(grouped.params * g == full.params, "and its weights by g: [c_out, c_in/g, 1, 1]");
  claim(k3.madds == hw * hw * 9 * m * m && dw.madds * m == k3.madds,
        "depthwise (groups = C) divides by C: hw * 9 * m instead of hw * 9 * m^2");

  std::printf("\n2. the article's unit formulas, c = %lld, m = %lld, g = %lld, h = w = %lld\n",
              (long long)c, (long long)m, (long long)g, (long long)hw);
  const int64_t h2 = hw * hw;
  struct Unit {
    const char* name;
    const char* formula;
    int64_t predicted;
    lesson::Measured measured;
  };
  const Unit units[] = {
      {"ResNet", "hw(2cm + 9m^2)", h2 * (2 * c * m + 9 * m * m),
       lesson::measure(c, hw, lesson::bottleneck(c, m, 1, 1))},
      {"ResNeXt", "hw(2cm + 9m^2/g)", h2 * (2 * c * m + 9 * m * m / g),
       lesson::measure(c, hw, lesson::bottleneck(c, m, 1, g))},
      {"ShuffleNet", "hw(2cm/g + 9m)", h2 * (2 * c * m / g + 9 * m),
       lesson::measure(c, hw, lesson::bottleneck(c, m, g, m))},
  };
  for (const Unit& u : units) {
    std::printf("   %-10s %-17s predicted %10lld   measured %10lld\n", u.name, u.formula,
                (long long)u.predicted, (long long)u.measured.madds);
    claim(u.measured.madds == u.predicted,
          std::string(u.name) + ": the formula equals the measured multiply-adds");
  }
  claim(units[2].measured.madds * 3 < units[1].measured.madds &&
            units[1].measured.madds < units[0].measured.madds,
        "same c and m: ShuffleNet's unit is several times cheaper than ResNeXt's, which is cheaper "
        "than ResNet's");

  std::printf("\n3. information flow (V1 Fig. 1): which input channels reach output channel j\n");
  const int64_t C = 9, G = 3;  // C/G = 3 channels per group: one can go to each group
  const std::vector<std::string> plain = influence(C, G, 2, false),
                                 mixed = influence(C, G, 2, true);
  const std::vector<std::string> deep = influence(C, G, 4, false);
  std::printf("   %-4s %-12s %-22s %s\n", "out", "two gconvs", "two gconvs + shuffle",
              "four gconvs");
  for (int64_t j = 0; j < C; ++j)
    std::printf("   %-4lld %-12s %-22s %s\n", (long long)j, plain[j].c_str(), mixed[j].c_str(),
                deep[j].c_str());
  bool blocked = true, all = true;
  for (int64_t j = 0; j < C; ++j) {
    blocked = blocked && groups_touched(plain[j], G) == 1 && groups_touched(deep[j], G) == 1 &&
              plain[j].substr((j / (C / G)) * (C / G), C / G) == std::string(C / G, '#');
    all = all && groups_touched(mixed[j], G) == G;
  }
  claim(
      blocked,
      "without a shuffle, output group k sees only input group k, however many layers are stacked");
  claim(all, "with channel_shuffle between the two, every output channel sees every input group");
  std::printf("\nLook at: the measured column of 2, and the block-diagonal '#' pattern that the "
              "shuffle breaks.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
