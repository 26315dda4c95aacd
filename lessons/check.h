// lessons/check.h - what every lesson program and exercise checker shares: claim() for
// the lessons' printed checks, NotImplemented for the exercise stubs, and the checker's
// compare-and-explain helpers with its exit codes (0 solved, 1 wrong, 77 still a stub,
// which CTest reports as skipped). Not a test framework: tests/ uses doctest.
#pragma once
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace lesson {

// A lesson's claim: printed with [ok] or [FAILED]; main returns failures() == 0 ? 0 : 1.
inline int& failures() {
  static int n = 0;
  return n;
}
inline void claim(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAILED", what.c_str());
  failures() += ok ? 0 : 1;
}

// Thrown by the shipped exercise stubs; the checker turns it into exit code 77.
struct NotImplemented : std::logic_error {
  explicit NotImplemented(const std::string& what) : std::logic_error("not implemented: " + what) {}
};

// Largest |a - b| / (1 + |b|) over two same-shaped tensors; index of the worst element.
struct Diff {
  double worst = 0;
  int64_t at = -1;
  float got = 0, want = 0;
};
inline Diff diff(const sl::Tensor& got, const sl::Tensor& want) {
  const std::vector<float> a = got.to_vector(), b = want.to_vector();
  Diff d;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double e = std::fabs((double)a[i] - b[i]) / (1.0 + std::fabs((double)b[i]));
    if (!(e <= d.worst)) {  // also catches NaN
      d = {std::isnan(e) ? INFINITY : e, (int64_t)i, a[i], b[i]};
      if (std::isnan(e)) break;
    }
  }
  return d;
}

// One exercise check run: each case() prints ok or what is wrong; finish() gives the exit code.
class Checker {
 public:
  Checker(std::string exercise, std::string file)
      : exercise_(std::move(exercise)), file_(std::move(file)) {}

  // Runs one case; `body` returns "" when right, else what is wrong. A NotImplemented
  // anywhere marks the exercise as unsolved; any other exception is a wrong answer.
  void run(const std::string& name, const std::function<std::string()>& body) {
    std::string wrong;
    try {
      wrong = body();
    } catch (const NotImplemented& e) {
      ++stubs_;
      std::printf("  [todo] %s: %s\n", name.c_str(), e.what());
      return;
    } catch (const std::exception& e) {
      wrong = std::string("threw: ") + e.what();
    }
    std::printf("  [%s] %s%s%s\n", wrong.empty() ? "ok" : "WRONG", name.c_str(),
                wrong.empty() ? "" : ": ", wrong.c_str());
    (wrong.empty() ? passed_ : wrong_) += 1;
  }

  // "" when got matches want in shape and values (tolerance relative to 1 + |want|).
  static std::string same(const sl::Tensor& got, const sl::Tensor& want, double tol = 1e-4) {
    if (!got.defined()) return "returned an undefined tensor";
    if (got.shape() != want.shape())
      return "shape is " + sl::shape_str(got.shape()) + ", expected " + sl::shape_str(want.shape());
    const Diff d = diff(got, want);
    if (d.worst <= tol) return "";
    return sl::str_cat("element ", d.at, " (flat, row-major) is ", d.got, ", expected ", d.want,
                       " (relative error ", d.worst, " > ", tol, ")");
  }

  int finish() const {
    if (wrong_ > 0) {
      std::printf("%s: %d of %d checks WRONG. Fix %s and run the check again.\n", exercise_.c_str(),
                  wrong_, wrong_ + passed_ + stubs_, file_.c_str());
      return 1;
    }
    if (stubs_ > 0) {
      std::printf(
          "%s: not solved yet (%d checks still throw \"not implemented\"). Edit %s, then run\n"
          "  make check-exercise N=%s\n",
          exercise_.c_str(), stubs_, file_.c_str(), exercise_.substr(exercise_.size() - 2).c_str());
      return 77;
    }
    std::printf("%s: all %d checks pass. Well done.\n", exercise_.c_str(), passed_);
    return 0;
  }

 private:
  std::string exercise_, file_;
  int passed_ = 0, wrong_ = 0, stubs_ = 0;
};

}  // namespace lesson
