// lessons/06_shufflenet_v1/v1_parts.h - small helpers shared by lesson 06 and its
// exercise checker: find a submodule of a built model by its path ("stage3.1") and read
// a unit's tensors by their state_dict names ("gconv1.weight"). Not part of nn/: the
// library's own code never needs to look inside a model this way.
#pragma once
#include <string>

#include "nn/module.h"

namespace lesson {

// "stage3.1" -> the unit module; throws naming the missing part.
inline sl::Module& submodule(sl::Module& root, const std::string& path) {
  sl::Module* m = &root;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    sl::Module* next = nullptr;
    for (auto& [name, child] : m->named_children())
      if (name == part) next = child;
    SL_CHECK(next, "submodule: no child '", part, "' on the way to '", path, "'");
    m = next;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *m;
}

// The tensor named `key` in m.state_dict() (parameters and buffers; shares storage).
inline sl::Tensor tensor_of(const sl::Module& m, const std::string& key) {
  for (const sl::StateEntry& e : m.state_dict())
    if (e.name == key) return e.tensor;
  SL_CHECK(false, "tensor_of: no '", key, "' in this module's state_dict");
  return {};
}

}  // namespace lesson
