// tests/core/kernels_check.h - helpers for the raw-kernel tests (test_kernels*.cpp):
// seeded random buffers and a closeness check, on plain std::vector<float> so that
// these tests need nothing but core/cpu/kernels.h. Not tests/helpers.h, which works
// on Tensors.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace sl::test {

// Uniform values in [lo, hi) from splitmix64: the same numbers on every platform.
inline std::vector<float> random_vec(int64_t n, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::vector<float> v(n);
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& x : v) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    x = lo + (hi - lo) * (float)((z >> 40) * (1.0 / (1ull << 24)));
  }
  return v;
}

// |got - want| <= rtol * max|want| + atol element by element: a fast kernel sums in a
// different order than its reference, so the error scales with the largest value, not
// with each (possibly cancelled) element. Reports the first miss with its index.
inline void check_near(const std::vector<float>& got, const std::vector<float>& want,
                       const std::string& what, double rtol = 1e-4, double atol = 1e-6) {
  REQUIRE_MESSAGE(got.size() == want.size(), what, ": sizes ", got.size(), " vs ", want.size());
  double scale = 0.0;
  for (float w : want) scale = std::max(scale, (double)std::fabs(w));
  double tol = rtol * scale + atol;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs((double)got[i] - (double)want[i]) <= tol)) {
      FAIL_CHECK(what, ": element ", i, " is ", got[i], " but expected ", want[i], " (tol ", tol,
                 ")");
      return;
    }
}

inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += (double)a[i] * b[i];
  return s;
}

}  // namespace sl::test
