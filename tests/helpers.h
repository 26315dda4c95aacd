// tests/helpers.h - helpers shared by every test area: closeness checks, a seeded
// random tensor, and gradcheck(), the finite-difference gradient check that every
// differentiable op is held to. Not a test framework: doctest does the reporting.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace sl::test {

inline Tensor rand_tensor(const Shape& shape, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  Generator g(seed);
  return Tensor::uniform(shape, g, lo, hi);
}

// Every element of `got` within atol + rtol*|want| of `want`; reports the first miss.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want,
                        double atol = 1e-5, double rtol = 1e-4, const std::string& what = "") {
  REQUIRE_MESSAGE(got.size() == want.size(), what, ": sizes ", got.size(), " vs ", want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    double tol = atol + rtol * std::fabs((double)want[i]);
    if (!(std::fabs((double)got[i] - (double)want[i]) <= tol)) {
      FAIL_CHECK(what, ": element ", i, " is ", got[i], " but expected ", want[i]);
      return;
    }
  }
}
inline void check_close(const Tensor& got, const Tensor& want, double atol = 1e-5,
                        double rtol = 1e-4, const std::string& what = "") {
  REQUIRE_MESSAGE(got.shape() == want.shape(), what, ": shapes ", shape_str(got.shape()), " vs ",
                  shape_str(want.shape()));
  check_close(got.to_vector(), want.to_vector(), atol, rtol, what);
}

// The message of the sl::Error that f throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// gradcheck: compares the autograd gradient of L = sum(f(inputs) * R), R a fixed
// random tensor, with central differences (L(x+eps) - L(x-eps)) / 2eps. The forward
// runs in float32; L is accumulated in double, which keeps the difference quotient's
// rounding error near 1e-4 with eps = 1e-2. Checks at most `max_checks` elements of
// each input that requires grad (spread evenly). Inputs must be contiguous CPU leaves.
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
inline void gradcheck(const Fn& f, std::vector<Tensor> inputs, double eps = 1e-2,
                      double atol = 2e-3, double rtol = 2e-2, int max_checks = 60) {
  for (Tensor& x : inputs) {
    REQUIRE(x.is_contiguous());
    x.zero_grad();
  }
  Tensor out = f(inputs);
  Tensor R = rand_tensor(out.shape(), 1234, -1.f, 1.f);
  std::vector<float> r = R.to_vector();
  auto loss = [&]() {
    NoGradGuard ng;
    std::vector<float> y = f(inputs).to_vector();
    double acc = 0;
    for (size_t i = 0; i < y.size(); ++i) acc += (double)y[i] * r[i];
    return acc;
  };
  sum(mul(out, R)).backward();
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor& x = inputs[k];
    if (!x.requires_grad()) continue;
    REQUIRE_MESSAGE(x.grad().defined(), "input ", k, " got no gradient");
    std::vector<float> g = x.grad().to_vector();
    float* p = x.data();
    int64_t n = x.numel(), step = std::max<int64_t>(1, n / max_checks);
    for (int64_t i = 0; i < n; i += step) {
      float orig = p[i];
      p[i] = (float)(orig + eps);
      double lp = loss();
      p[i] = (float)(orig - eps);
      double lm = loss();
      p[i] = orig;
      double num = (lp - lm) / (2 * eps);
      double tol = atol + rtol * std::fabs(num);
      if (!(std::fabs(num - (double)g[i]) <= tol)) {
        FAIL_CHECK("gradcheck: input ", k, " ", shape_str(x.shape()), " element ", i, ": autograd ",
                   g[i], " vs finite difference ", num);
        return;
      }
    }
  }
}

}  // namespace sl::test
