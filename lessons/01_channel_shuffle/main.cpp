// lessons/01_channel_shuffle/main.cpp - the lesson's program: builds channel shuffle
// from views by hand, prints what each step did to shape, strides and memory, and
// checks every claim the lesson makes (exit 1 if one fails). CTest runs it.
// Not a test suite: tests/core/test_tensor.cpp holds the thorough checks.
#include <cstdio>
#include <vector>

#include "core/tensor.h"

using namespace sl;

static int failures = 0;
static void claim(bool ok, const char* what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
  failures += ok ? 0 : 1;
}

int main() {
  // Six channels in g = 2 groups: channel c holds the value c.
  const int64_t C = 6, g = 2;
  Tensor x = Tensor::arange(C).view({1, C, 1, 1});
  std::printf("x          shape %s strides %s\n", shape_str(x.shape()).c_str(), shape_str(x.strides()).c_str());

  reset_copy_stats();
  Tensor v = x.view({1, g, C / g, 1, 1});
  Tensor t = v.transpose(1, 2);
  std::printf("view       shape %s strides %s\n", shape_str(v.shape()).c_str(), shape_str(v.strides()).c_str());
  std::printf("transpose  shape %s strides %s\n", shape_str(t.shape()).c_str(), shape_str(t.strides()).c_str());
  claim(t.shares_storage(x) && copy_stats().copies == 0, "view and transpose move no data");
  claim(t.strides()[1] == 1 && t.strides()[2] == 3, "transpose only swapped the strides (1 and 3)");

  Tensor c = t.contiguous();
  std::printf("contiguous shape %s strides %s  (%lld bytes copied)\n", shape_str(c.shape()).c_str(),
              shape_str(c.strides()).c_str(), (long long)copy_stats().bytes);
  claim(copy_stats().copies == 1 && copy_stats().bytes == C * 4, "contiguous copies all C floats once");

  Tensor y = c.view({1, C, 1, 1});
  std::vector<float> order = y.to_vector();
  std::printf("order     ");
  for (float o : order) std::printf(" %g", o);
  std::printf("\n");
  claim(order == std::vector<float>{0, 3, 1, 4, 2, 5}, "output j takes input (j % g) * (C/g) + j / g");
  claim(channel_shuffle(x, g).to_vector() == order, "sl::channel_shuffle does exactly these steps");
  claim(channel_shuffle(y, C / g).to_vector() == x.to_vector(), "shuffling with C/g groups undoes it");
  return failures == 0 ? 0 : 1;
}
