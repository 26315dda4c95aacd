// lessons/10_g4_zero_copy/check.cpp - the checker of exercise 10: the learner's
// shuffle_source against sl::channel_shuffle on numbered channels, and fold_shuffle against
// make_zero_copy_unit's folded weights (G = 2) and against conv2d(channel_shuffle(x, G), w)
// for G = 2, 3 and 4. Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/10_g4_zero_copy/exercise.h"

#include "lessons/check.h"
#include "nn/conv2d.h"
#include "nn/guidelines.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 10: the shuffle as an index map, folded into the next conv\n");
  Checker check("exercise 10", "lessons/10_g4_zero_copy/exercise.cpp");
  struct Case {
    int64_t C, G;
  };
  for (const Case c : {Case{4, 2}, Case{8, 2}, Case{12, 3}, Case{16, 4}, Case{6, 6}}) {
    check.run(str_cat("shuffle_source, C = ", c.C, ", G = ", c.G), [&]() -> std::string {
      // channel k of x holds the number k, so the shuffled channel j holds its source
      const Tensor x = Tensor::arange(c.C).view({1, c.C, 1, 1});
      const std::vector<float> want = channel_shuffle(x, c.G).to_vector();
      for (int64_t j = 0; j < c.C; ++j) {
        const int64_t got = shuffle_source(j, c.C, c.G);
        if (got != (int64_t)want[(size_t)j])
          return str_cat("output channel ", j, ": returned ", got, ", channel_shuffle takes input ",
                         (int64_t)want[(size_t)j]);
      }
      return "";
    });
  }
  check.run("fold_shuffle(w_next, 2) of a real zero-copy unit (C = 116)", [&]() -> std::string {
    const ZeroCopyUnit u = make_zero_copy_unit(116, 2, Device::cpu, 3);
    return Checker::same(fold_shuffle(u.w_next, 2), u.w_next_folded, 0.0);
  });
  Generator gen(100);
  for (const Case c : {Case{8, 2}, Case{12, 3}, Case{16, 4}}) {
    check.run(str_cat("conv2d(x, fold_shuffle(w, ", c.G, ")) == conv2d(channel_shuffle(x, ", c.G,
                      "), w), C = ", c.C),
              [&]() -> std::string {
                const Tensor x = Tensor::randn({2, c.C, 3, 3}, gen);
                const Tensor w = Tensor::randn({5, c.C, 1, 1}, gen);
                const Tensor folded = fold_shuffle(w, c.G);
                if (folded.shape() != w.shape())
                  return str_cat("fold_shuffle returned shape ", shape_str(folded.shape()),
                                 ", expected ", shape_str(w.shape()));
                return Checker::same(conv2d(x, folded), conv2d(channel_shuffle(x, c.G), w), 1e-4);
              });
  }
  return check.finish();
}
