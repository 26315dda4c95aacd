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

bool cuda_available() {
#ifdef SL_WITH_CUDA
  static const bool present = cuda::device_present();
  return present;
#else
  return false;
#endif
}

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
#ifdef SL_WITH_CUDA
  SL_CHECK(cuda_available(), "device cuda: no CUDA GPU was found on this machine",
           "; use --device cpu");
  return cuda::table();
#else
  throw Error("device cuda: this build has no CUDA backend (nvcc was not found at configure "
              "time); use --device cpu, or install the CUDA toolkit and rebuild");
#endif
}

const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

}  // namespace sl
