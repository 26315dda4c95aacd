// lessons/02_tensors/check.cpp - the checker of exercise 02: runs the learner's
// contiguous_strides and gather_strided (lessons/02_tensors/exercise.cpp, or the reference
// in solution/) on the lesson's views and compares with the library. Exit 0 solved,
// 1 wrong, 77 still the stub. Built twice by lessons/CMakeLists.txt.
#include "lessons/check.h"
#include "lessons/02_tensors/exercise.h"

using namespace sl;

int main() {
  std::printf("exercise 02: strides by hand\n");
  lesson::Checker check("exercise 02", "lessons/02_tensors/exercise.cpp");
  const Tensor x = Tensor::arange(32).view({2, 4, 2, 2});

  for (const Shape& s : {Shape{2, 4, 2, 2}, Shape{7}, Shape{3, 1, 5}, Shape{}}) {
    check.run("contiguous_strides" + shape_str(s), [&]() -> std::string {
      const Shape got = contiguous_strides(s), want = Tensor::zeros(s).strides();
      return got == want ? "" : "got " + shape_str(got) + ", expected " + shape_str(want);
    });
  }

  struct Case {
    const char* name;
    Tensor t;
  };
  const std::vector<Case> cases = {
      {"x itself (contiguous)", x},
      {"x.view(2,2,2,2,2).transpose(1,2)", x.view({2, 2, 2, 2, 2}).transpose(1, 2)},
      {"x.narrow(1, 2, 2) (offset 8)", x.narrow(1, 2, 2)},
      {"x.permute(3,2,1,0)", x.permute({3, 2, 1, 0})},
      {"x.narrow(3, 1, 1).transpose(0, 1)", x.narrow(3, 1, 1).transpose(0, 1)},
      {"arange(4) expanded to (2,4,2,2) (stride 0)",
       Tensor::arange(4).view({1, 4, 1, 1}).expand({2, 4, 2, 2})},
      {"a 0-dim scalar", scalar(7.f)},
  };
  for (const Case& c : cases) {
    check.run("gather_strided(" + std::string(c.name) + ")", [&]() -> std::string {
      const std::vector<float> got = gather_strided(c.t), want = c.t.to_vector();
      if (got.size() != want.size())
        return str_cat("returned ", got.size(), " values, expected numel = ", want.size());
      for (size_t i = 0; i < got.size(); ++i)
        if (got[i] != want[i])
          return str_cat("value ", i, " is ", got[i], ", expected ", want[i], " (shape ",
                         shape_str(c.t.shape()), ", strides ", shape_str(c.t.strides()),
                         ", offset ", c.t.offset(), ")");
      return "";
    });
  }
  return check.finish();
}
