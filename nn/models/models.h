// nn/models/models.h - build a model by name: "v2-0.5" | "v2-1.0" | "v2-1.5" | "v2-2.0"
// (ShuffleNet V2, shufflenet_v2.cpp) and "v1-g<G>-<scale>" (ShuffleNet V1, groups 1, 2,
// 3, 4 or 8, shufflenet_v1.cpp), in the "cifar" or "imagenet" variant of
// docs/models.md. Not here: training, weights files (nn/safetensors.h).
#pragma once
#include <memory>
#include <string>

#include "nn/module.h"

namespace sl {

struct ModelConfig {
  int version = 2;        // 1 or 2
  float width = 1.f;      // V2 width multiplier, or V1 scale
  int groups = 1;         // V1 only
  bool imagenet = false;  // variant: stem stride 2 + max-pool, 224x224 input
  int classes = 10;
};

// Parses a name and variant; classes = -1 picks 10 (cifar) or 1000 (imagenet).
// Throws sl::UsageError for unknown names, variants, or configurations whose channel
// counts do not divide by their groups (naming the layer and the numbers).
ModelConfig parse_model_name(const std::string& name, const std::string& variant = "cifar",
                             int classes = -1);

// Built with torchvision's initialisation (nn/layers.h init_weights) from `seed`.
std::unique_ptr<Module> make_model(const std::string& name, const std::string& variant = "cifar",
                                   int classes = -1, uint64_t seed = 0);

std::unique_ptr<Module> make_shufflenet_v2(const ModelConfig& c);
std::unique_ptr<Module> make_shufflenet_v1(const ModelConfig& c);

}  // namespace sl
