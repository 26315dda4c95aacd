// lessons/05_group_conv/units.h - the three bottleneck units of the article, as the
// convolutions only (BN/ReLU add no multiply-adds), and measure_madds(), which runs one
// through sl::profile (nn/cost) and returns the multiply-adds it recorded. Shared by the
// lesson (main.cpp) and the exercise checker (check.cpp). Not the real ShuffleNet unit:
// that is lesson 06 (nn/models/shufflenet_v1.cpp).
#pragma once
#include <memory>
#include <string>

#include "nn/cost.h"
#include "nn/layers.h"

namespace lesson {

// A 1x1 "stem" lifts the profiler's 3-channel input to c channels; then the unit runs
// under the name "unit", so its layers are told apart from the stem's by name.
class UnitProbe : public sl::Module {
 public:
  UnitProbe(int64_t c, std::unique_ptr<sl::Sequential> unit) {
    stem_ = register_module("stem", std::make_unique<sl::Conv2d>(3, c, 1));
    unit_ = register_module("unit", std::move(unit));
  }
  sl::Tensor forward(const sl::Tensor& x) override { return (*unit_)((*stem_)(x)); }

 private:
  sl::Conv2d* stem_;
  sl::Sequential* unit_;
};

// 1x1 (c -> m, groups g1), 3x3 (m -> m, padding 1, groups g3), 1x1 (m -> c, groups g1).
//   ResNet:     g1 = 1, g3 = 1      ResNeXt: g1 = 1, g3 = g      ShuffleNet: g1 = g, g3 = m
inline std::unique_ptr<sl::Sequential> bottleneck(int64_t c, int64_t m, int64_t g1, int64_t g3) {
  auto s = std::make_unique<sl::Sequential>();
  s->add(std::make_unique<sl::Conv2d>(c, m, 1, sl::Conv2dParams{.groups = g1}));
  s->add(std::make_unique<sl::Conv2d>(m, m, 3, sl::Conv2dParams{.padding = 1, .groups = g3}));
  s->add(std::make_unique<sl::Conv2d>(m, c, 1, sl::Conv2dParams{.groups = g1}));
  return s;
}

struct Measured {
  int64_t madds = 0, params = 0;
};

// One forward pass of a [1, 3, hw, hw] input; sums the LayerCosts whose name is in "unit".
inline Measured measure(int64_t c, int64_t hw, std::unique_ptr<sl::Sequential> unit) {
  UnitProbe probe(c, std::move(unit));
  const sl::Profile p = sl::profile(probe, "lesson-05-unit", "custom", {.input_size = hw});
  Measured m;
  for (const sl::LayerCost& l : p.layers)
    if (l.name.rfind("unit.", 0) == 0) {
      m.madds += l.madds;
      m.params += l.params;
    }
  return m;
}

}  // namespace lesson
