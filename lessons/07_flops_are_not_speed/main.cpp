// lessons/07_flops_are_not_speed/main.cpp - the lesson's program: profiles ShuffleNet V1
// (g = 3, 1.0x, ImageNet), the network of the V2 paper's Fig. 2, with every layer timed;
// checks that nn/cost's MAdds and MAC are the formulas by hand and that ops with 0 MAdds still
// move memory; prints the time by op kind beside the paper's reading. Times are printed, never
// asserted; exit 1 if a claim fails; `--precise` times 15 passes instead of 3. Not a test
// suite: tests/nn/test_nn_cost_category.cpp and tests/nn/test_models.cpp are.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "lessons/check.h"
#include "nn/cost.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::claim;

static const LayerCost& layer(const Profile& p, const std::string& name) {
  for (const LayerCost& l : p.layers)
    if (l.name == name) return l;
  SL_CHECK(false, "no layer '", name, "' in the profile of ", p.model);
  return p.layers[0];
}

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  const bool precise = argc > 1 && std::strcmp(argv[1], "--precise") == 0;
  const std::string name = "v1-g3-1.0";
  std::printf("1. one 1x1 group convolution and one depthwise convolution, by hand\n");
  auto model = make_model(name, "imagenet");
  ProfileOptions opt;
  opt.time = true;
  opt.repeats = precise ? 15 : 3;
  const Profile p = profile(*model, name, "imagenet", opt);

  // stage2.1.gconv1: 1x1, 240 -> 60 channels, g = 3, on 28 x 28 (one image)
  const int64_t hw = int64_t{28} * 28, c1 = 240, c2 = 60, g = 3, m = 60;
  const LayerCost& gc = layer(p, "stage2.1.gconv1");
  const LayerCost& dw = layer(p, "stage2.1.dwconv");
  std::printf("   %-16s %-9s MAdds %9lld  MAC %7lld  MAC/MAdds %.3f\n", gc.name.c_str(),
              gc.kind.c_str(), (long long)gc.madds, (long long)gc.mac,
              double(gc.mac) / double(gc.madds));
  std::printf("   %-16s %-9s MAdds %9lld  MAC %7lld  MAC/MAdds %.3f\n", dw.name.c_str(),
              dw.kind.c_str(), (long long)dw.madds, (long long)dw.mac,
              double(dw.mac) / double(dw.madds));
  claim(gc.madds == hw * c1 * c2 / g, "1x1 group conv: MAdds = h*w*c1*c2/g = 784*240*60/3");
  claim(gc.mac == hw * (c1 + c2) + c1 * c2 / g,
        "1x1 group conv: MAC = h*w*(c1 + c2) + c1*c2/g (input + output + weights)");
  claim(dw.madds == hw * m * 9 && dw.mac == 2 * hw * m + 9 * m,
        "3x3 depthwise: MAdds = h*w*m*9, MAC = 2*h*w*m + 9*m");
  claim(double(dw.mac) / double(dw.madds) > 3 * double(gc.mac) / double(gc.madds),
        "per multiply-add, the depthwise conv moves more than three times the memory of the 1x1");

  std::printf("\n2. %s (imagenet, 224x224) by op kind: %d layers, %.1fM MAdds, %.1fM MAC\n",
              name.c_str(), (int)p.layers.size(), p.madds / 1e6, p.mac / 1e6);
  std::printf("   %-14s %6s %8s %8s %8s\n", "kind", "layers", "MAdds", "MAC", "time");
  int64_t madds = 0, mac = 0, free_mac = 0;
  double time = 0, free_time = 0;
  bool only_conv_linear = true;
  for (const CategoryCost& c : by_category(p)) {
    std::printf("   %-14s %6d %7.1f%% %7.1f%% %7.1f%%\n", c.category.c_str(), c.layers,
                100.0 * c.madds / p.madds, 100.0 * c.mac / p.mac, 100.0 * c.time_ms / p.time_ms);
    madds += c.madds;
    mac += c.mac;
    time += c.time_ms;
    const bool conv = c.category.find("conv") != std::string::npos || c.category == "grouped 1x1" ||
                      c.category == "depthwise" || c.category == "linear";
    if (!conv) {
      only_conv_linear = only_conv_linear && c.madds == 0;
      free_mac += c.mac;
      free_time += c.time_ms;
    }
  }
  claim(madds == p.madds && mac == p.mac, "the kinds add up to the network's MAdds and MAC");
  claim(only_conv_linear,
        "only convolutions and the linear layer have MAdds: FLOPs count nothing else");
  claim(free_mac > p.mac / 5,
        str_cat("yet the ops with 0 MAdds move ", int(100.0 * free_mac / p.mac),
                "% of the network's memory traffic (MAC)"));
  bool finite = std::isfinite(p.time_ms) && p.time_ms > 0;
  for (const LayerCost& l : p.layers) finite = finite && std::isfinite(l.time_ms) && l.time_ms >= 0;
  claim(finite, str_cat("every layer was timed (median of ", opt.repeats, " passes)"));

  std::printf("\n3. the time FLOPs do not see, this machine beside the paper's Fig. 2\n");
  std::printf("   measured here (CPU): %.1f ms per image, %.0f%% of it in ops with 0 MAdds\n", time,
              100.0 * free_time / time);
  std::printf("   paper, Fig. 2 (ShuffleNet V1 1x g=3 on a GTX 1080Ti and a Snapdragon 810):\n"
              "   the convolutions take most of the time, but data movement, the shuffle and\n"
              "   element-wise ops (ReLU, add) \"also occupy considerable amount of time\".\n");
  // The spread of whole passes says whether these shares can be trusted (as `profile` does).
  const double apart = p.time_min_ms > 0 ? p.time_max_ms / p.time_min_ms : 0;
  if (apart > 1.5)
    std::printf(
        "   NOTE: the timed passes took %.1f .. %.1f ms, %.1fx apart: this machine is busy\n"
        "   and the time shares above mislead; rerun when it is idle%s.\n",
        p.time_min_ms, p.time_max_ms, apart, precise ? "" : ", or with --precise");
  else
    std::printf("   (passes %.1f .. %.1f ms; timings vary with load, --precise times 15 passes)\n",
                p.time_min_ms, p.time_max_ms);
  return lesson::failures() == 0 ? 0 : 1;
}
