// lessons/07_flops_are_not_speed/check.cpp - the checker of exercise 07: runs the
// learner's conv_mac on 1x1, grouped, depthwise and strided shapes against nn/cost's
// conv2d_mac, and zero_madds_mac_share on real profiles of V1 and V2 against the shares
// nn/cost's by_category gives. Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/check.h"
#include "lessons/07_flops_are_not_speed/exercise.h"
#include "nn/conv2d.h"
#include "nn/models/models.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 07: memory access cost by hand\n");
  Checker check("exercise 07", "lessons/07_flops_are_not_speed/exercise.cpp");
  struct Case {
    const char* name;
    Shape x, w;
    Conv2dParams p;
  };
  const Case cases[] = {
      {"1x1, 58 -> 58 at 28x28 (V2 stage 2)", {1, 58, 28, 28}, {58, 58, 1, 1}, {}},
      {"1x1 g=3, 240 -> 60 at 28x28 (V1 stage 2)", {1, 240, 28, 28}, {60, 80, 1, 1}, {.groups = 3}},
      {"3x3 depthwise, 60 channels", {1, 60, 28, 28}, {60, 1, 3, 3}, {.padding = 1, .groups = 60}},
      {"3x3 stride 2, batch 4", {4, 3, 32, 32}, {24, 3, 3, 3}, {.stride = 2, .padding = 1}},
  };
  for (const Case& c : cases) {
    const Conv2dShape s = conv2d_shape(c.x, c.w, c.p);
    check.run(str_cat("conv_mac [", c.name, "]"), [&]() -> std::string {
      const int64_t got = conv_mac(s), want = conv2d_mac(s);
      return got == want ? ""
                         : str_cat("returned ", got, ", nn/cost's conv2d_mac gives ", want,
                                   " (input ", s.N * s.C_in * s.H * s.W, " + output ",
                                   s.N * s.C_out * s.H_out * s.W_out, " + weights ",
                                   s.C_out * (s.C_in / s.groups) * s.K * s.K, ")");
    });
  }
  for (const char* name : {"v1-g3-0.5", "v2-0.5"}) {
    auto model = make_model(name, "cifar");
    const Profile p = profile(*model, name, "cifar");
    int64_t free_mac = 0;  // the independent path: nn/cost's own per-category sums
    for (const CategoryCost& c : by_category(p))
      if (c.madds == 0) free_mac += c.mac;
    const double want = double(free_mac) / double(p.mac);
    check.run(str_cat("zero_madds_mac_share [", name, " cifar]"), [&]() -> std::string {
      const double got = zero_madds_mac_share(p);
      return std::fabs(got - want) < 1e-9
                 ? ""
                 : str_cat("returned ", got, ", expected ", want, " (", free_mac, " of ", p.mac,
                           " elements are moved by layers with 0 MAdds)");
    });
  }
  return check.finish();
}
