// lessons/12_training/check.cpp - the checker of exercise 12: the learner's sgd_step against
// sl::Sgd (five steps on a random [3, 4] weight, momentum and Nesterov on and off, with and
// without weight decay) and one_cycle_lr against sl::lr_one_cycle at every step of three
// schedules, the shipped run's 5,865 steps among them. Exit 0 solved, 1 wrong, 77 still the stub.
#include "lessons/12_training/exercise.h"

#include <cmath>

#include "lessons/check.h"
#include "nn/optim.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 12: one SGD step and the one-cycle learning rate\n");
  Checker check("exercise 12", "lessons/12_training/exercise.cpp");
  struct Case {
    float momentum, weight_decay;
    bool nesterov;
  };
  for (const Case c : {Case{0.9f, 5e-4f, true}, Case{0.9f, 5e-4f, false}, Case{0.5f, 0.1f, true},
                       Case{0.9f, 0.f, false}}) {
    check.run(str_cat("sgd_step, 5 steps, momentum ", c.momentum, ", weight decay ", c.weight_decay,
                      ", nesterov ", c.nesterov ? "on" : "off"),
              [&]() -> std::string {
                Generator gen(12);
                Tensor w = Tensor::randn({3, 4}, gen).requires_grad_();
                Sgd opt({{"w", w}}, {.lr = 0.1f,
                                     .momentum = c.momentum,
                                     .nesterov = c.nesterov,
                                     .weight_decay = c.weight_decay});
                std::vector<float> mine = w.to_vector(), buf(mine.size(), 0.f);
                for (int s = 1; s <= 5; ++s) {
                  const Tensor g = Tensor::randn({3, 4}, gen);
                  w.set_grad(g);
                  opt.step();
                  sgd_step(mine, buf, g.to_vector(), 0.1f, c.momentum, c.weight_decay, c.nesterov);
                  const std::string wrong =
                      Checker::same(Tensor::from_data(mine, {3, 4}), w.detach(), 1e-6);
                  if (!wrong.empty()) return str_cat("after step ", s, ", w: ", wrong);
                  const std::string wrong_buf = Checker::same(Tensor::from_data(buf, {3, 4}),
                                                              opt.state_dict()[0].tensor, 1e-6);
                  if (!wrong_buf.empty()) return str_cat("after step ", s, ", buf: ", wrong_buf);
                }
                return "";
              });
  }
  for (const int64_t total : {int64_t{10}, int64_t{100}, int64_t{5865}}) {
    check.run(str_cat("one_cycle_lr at every step of ", total, ", peak 0.1"), [&]() -> std::string {
      for (int64_t t = 0; t < total; ++t) {
        const float got = one_cycle_lr(t, total, 0.1f);
        const float want = lr_one_cycle(t, total, 0.1f);
        if (!(std::fabs(got - want) <= 1e-5f * want + 1e-9f))
          return str_cat("step ", t, ": returned ", got, ", expected ", want);
      }
      return "";
    });
  }
  return check.finish();
}
