// core/backend.cpp - the backend registry: maps a Device to its kernel table. This is
// the one file that knows whether CUDA was compiled in (SL_WITH_CUDA, set by CMake);
// op files never use #if. Not here: the kernels (core/cpu/, core/cuda/).
#include "core/backend.h"

#include "core/cpu/kernels.h"
#include "core/error.h"
#ifdef SL_WITH_CUDA
#include "core/cuda/kernels.h"
#endif

namespace sl {

// Asked once per process: the answer cannot change while it runs.
std::string device_unavailable_reason(Device d) {
  if (d == Device::cpu) return "";
#ifdef SL_WITH_CUDA
  static const std::string why = cuda::unavailable_reason();
  return why;
#else
  return "device cuda: this build has no CUDA backend (nvcc was not found at configure time); "
         "use --device cpu, or install the CUDA toolkit and rebuild (docs/cuda.md)";
#endif
}

bool cuda_available() { return device_unavailable_reason(Device::cuda).empty(); }

namespace {
const Backend* g_override[2] = {nullptr, nullptr};  // [Device], set by tests only
}

void override_backend_for_testing(Device d, const Backend* table) { g_override[(int)d] = table; }

[[noreturn]] void kernel_missing(const char* backend_name, const char* entry) {
  throw Error(str_cat(entry, " is not supported on the ", backend_name,
                      " backend yet (run on --device cpu, ", "or implement it in core/",
                      backend_name, "/ and its table)"));
}

const Backend& backend(Device d) {
  if (const Backend* b = g_override[(int)d]) return *b;
  if (d == Device::cpu) return cpu::table();
  const std::string why = device_unavailable_reason(d);
  if (!why.empty()) throw Error(why);
#ifdef SL_WITH_CUDA
  return cuda::table();
#else
  throw Error("device cuda: unreachable");  // device_unavailable_reason said why above
#endif
}

const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

}  // namespace sl
