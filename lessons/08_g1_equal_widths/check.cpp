// lessons/08_g1_equal_widths/check.cpp - the checker of exercise 08: the learner's
// pointwise_mac against nn/cost's conv2d_mac on G1's shapes and a few others, and
// pointwise_mac_lower_bound against nn/guidelines.h's g1_mac_lower_bound, plus the property
// that makes it a bound (never above any real 1x1 conv, reached at c1 = c2). Exit 0 solved,
// 1 wrong, 77 still the stub.
#include "lessons/08_g1_equal_widths/exercise.h"

#include <cmath>

#include "lessons/check.h"
#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 08: G1's MAC and its lower bound\n");
  Checker check("exercise 08", "lessons/08_g1_equal_widths/exercise.cpp");
  struct Case {
    int64_t h, w, c1, c2;
  };
  const Case cases[] = {
      {56, 56, 32, 32}, {56, 56, 22, 44}, {56, 56, 9, 108}, {28, 28, 58, 58}, {7, 5, 3, 1000}};
  for (const Case& c : cases) {
    check.run(str_cat("pointwise_mac(", c.h, ", ", c.w, ", ", c.c1, ", ", c.c2, ")"),
              [&]() -> std::string {
                const int64_t want =
                    conv2d_mac(conv2d_shape({1, c.c1, c.h, c.w}, {c.c2, c.c1, 1, 1}, {}));
                const int64_t got = pointwise_mac(c.h, c.w, c.c1, c.c2);
                return got == want
                           ? ""
                           : str_cat("returned ", got, ", nn/cost's conv2d_mac gives ", want);
              });
  }
  for (const Case& c : cases) {
    const double B = double(c.h * c.w * c.c1 * c.c2);
    check.run(str_cat("pointwise_mac_lower_bound(", c.h, ", ", c.w, ", B = ", (int64_t)B, ")"),
              [&]() -> std::string {
                const double got = pointwise_mac_lower_bound(c.h, c.w, B);
                if (c.h == c.w) {  // nn/guidelines.h's version takes the side of a square map
                  const double want = g1_mac_lower_bound(c.h, B);
                  if (std::fabs(got - want) > 1e-6 * want)
                    return str_cat("returned ", got, ", g1_mac_lower_bound gives ", want);
                }
                const double mac = double(c.h * c.w * (c.c1 + c.c2) + c.c1 * c.c2);
                if (got > mac + 1e-6)
                  return str_cat("returned ", got, ", above the MAC ", mac,
                                 " of a real conv with this B: not a lower bound");
                if (c.c1 == c.c2 && std::fabs(got - mac) > 1e-6 * mac)
                  return str_cat("returned ", got, ", but with c1 = c2 the MAC ", mac,
                                 " reaches the bound");
                return "";
              });
  }
  return check.finish();
}
