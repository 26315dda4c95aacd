// nn/models/models.cpp - model names -> ModelConfig -> a built, initialised model.
// Names: "v2-<width>" with width 0.5, 1.0, 1.5, 2.0; "v1-g<G>-<scale>" with G in 1, 2, 3,
// 4, 8 and any positive scale whose channel counts divide by the groups. Not here: the
// architectures (shufflenet_v1.cpp, shufflenet_v2.cpp).
#include "nn/models/models.h"

#include <cstdlib>

#include "nn/cost.h"  // input_size(variant)
#include "nn/layers.h"

namespace sl {

namespace {

// A whole-string decimal number ("0.5", "1", "1.0"), or -1.
float parse_number(const std::string& s) {
  if (s.empty() || s.size() > 8) return -1.f;
  int dots = 0;
  for (char ch : s) {
    if (ch == '.')
      ++dots;
    else if (ch < '0' || ch > '9')
      return -1.f;
  }
  if (dots > 1 || s.front() == '.' || s.back() == '.') return -1.f;
  return std::strtof(s.c_str(), nullptr);
}

const char* kNameHint = "models are v2-0.5, v2-1.0, v2-1.5, v2-2.0 and v1-g<G>-<scale> with G in "
                        "1, 2, 3, 4, 8 (e.g. v1-g3-1.0)";

}  // namespace

ModelConfig parse_model_name(const std::string& name, const std::string& variant, int classes) {
  ModelConfig c;
  input_size(variant);  // validates the variant
  c.imagenet = variant == "imagenet";
  SL_CHECK_USAGE(classes == -1 || classes >= 1, "--classes must be at least 1, got ", classes);
  c.classes = classes == -1 ? (c.imagenet ? 1000 : 10) : classes;
  if (name.rfind("v2-", 0) == 0) {
    c.version = 2;
    c.width = parse_number(name.substr(3));
    SL_CHECK_USAGE(c.width == 0.5f || c.width == 1.0f || c.width == 1.5f || c.width == 2.0f,
                   "unknown model '", name, "': ShuffleNet V2 widths are 0.5, 1.0, 1.5, 2.0");
    return c;
  }
  if (name.rfind("v1-g", 0) == 0) {
    c.version = 1;
    const size_t dash = name.find('-', 4);
    SL_CHECK_USAGE(dash != std::string::npos, "unknown model '", name, "': ", kNameHint);
    const float g = parse_number(name.substr(4, dash - 4));
    c.width = parse_number(name.substr(dash + 1));
    SL_CHECK_USAGE(g == 1 || g == 2 || g == 3 || g == 4 || g == 8, "unknown model '", name,
                   "': ShuffleNet V1 groups are 1, 2, 3, 4, 8");
    SL_CHECK_USAGE(c.width > 0.f && c.width <= 4.f, "unknown model '", name,
                   "': the scale must be a number in (0, 4], e.g. 0.5 or 1.0");
    c.groups = (int)g;
    return c;
  }
  throw UsageError(str_cat("unknown model '", name, "': ", kNameHint));
}

std::unique_ptr<Module> make_model(const std::string& name, const std::string& variant, int classes,
                                   uint64_t seed) {
  const ModelConfig c = parse_model_name(name, variant, classes);
  std::unique_ptr<Module> m;
  try {
    m = c.version == 2 ? make_shufflenet_v2(c) : make_shufflenet_v1(c);
  } catch (const UsageError& e) {
    throw UsageError(str_cat(name, ": ", e.what()));  // "v1-g2-0.5: stage2.0.gconv2: ..."
  }
  init_weights(*m, seed);
  return m;
}

}  // namespace sl
