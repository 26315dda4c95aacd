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

const Backend& backend(Device d) {
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
