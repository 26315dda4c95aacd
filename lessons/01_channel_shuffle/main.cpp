// lessons/01_channel_shuffle/main.cpp - the lesson's program: builds channel shuffle by
// hand from views on the article's example (x of shape 2x4x2x2, g = 2), prints what each
// step did to shape, strides and memory, shows the view that fails without contiguous(),
// and checks every claim the lesson makes (exit 1 if one fails). CTest runs it.
// Not a test suite: tests/core and tests/nn hold the thorough checks.
#include <cstdio>
#include <string>
#include <vector>

#include "core/tensor.h"

using namespace sl;

static int failures = 0;
static void claim(bool ok, const char* what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
  failures += ok ? 0 : 1;
}

static void show(const char* name, const Tensor& t) {
  std::printf("%-11s shape %-12s strides %s\n", name, shape_str(t.shape()).c_str(),
              shape_str(t.strides()).c_str());
}

int main() {
  // The article's example: N = 2 samples of C = 4 channels in g = 2 groups, H = W = 2.
  // x holds 0, 1, ..., 31, so every value is also its offset in x's buffer.
  const int64_t N = 2, C = 4, g = 2, H = 2, W = 2, HW = H * W;
  Tensor x = Tensor::arange(N * C * H * W).view({N, C, H, W});
  show("x", x);

  reset_copy_stats();
  Tensor v = x.view({N, g, C / g, H, W});
  Tensor t = v.transpose(1, 2);
  show("view", v);
  show("transpose", t);
  claim(t.shares_storage(x) && copy_stats().copies == 0, "view and transpose move no data");
  claim(v.strides()[1] == 8 && v.strides()[2] == 4 && t.strides()[1] == 4 && t.strides()[2] == 8,
        "transpose only swapped the strides of dims 1 and 2 (8 and 4)");

  // t reads x's buffer in the order of its strides: offset = sum of index * stride.
  // The values of x are their offsets, so t's values in logical order are that path.
  const std::vector<float> path = t.to_vector();
  std::printf("t reads x's buffer at   ");
  for (int64_t k = 0; k < N * C; ++k) std::printf(" %g", path[k * HW]);
  std::printf("   (first float of each channel)\n");
  claim(path[1 * HW] == 8 && path[2 * HW] == 4, "the read path jumps: 0, then 8, then back to 4");

  // Skip contiguous() and the last view fails: view never moves data, and no single
  // stride can walk t's dims 1 and 2 merged into C.
  std::string message;
  try {
    (void)t.view({N, -1, H, W});
  } catch (const Error& e) {
    message = e.what();
  }
  std::printf("t.view({N, -1, H, W})   %s\n", message.c_str());
  claim(message.find("call contiguous() first") != std::string::npos,
        "without contiguous() the last view fails, and the message says what to do");

  Tensor c = t.contiguous();
  show("contiguous", c);
  std::printf("            %lld copy, %lld bytes\n", (long long)copy_stats().copies,
              (long long)copy_stats().bytes);
  claim(copy_stats().copies == 1 && copy_stats().bytes == N * C * H * W * 4,
        "contiguous copies all N*C*H*W floats once");
  claim(c.to_vector() == path, "contiguous writes the floats down in the order t reads them");

  Tensor y = c.view({N, -1, H, W});  // -1: view infers C = numel / (N*H*W) = 32 / 8 = 4
  show("view(-1)", y);
  claim(y.shape() == Shape{N, C, H, W}, "view({N, -1, H, W}) inferred C = 32 / (2*2*2) = 4");

  // Output channel j of sample n: its first value is an offset in x, (n*C + i)*H*W.
  bool article = true;
  for (int64_t n = 0; n < N; ++n) {
    std::printf("sample %lld order          ", (long long)n);
    for (int64_t j = 0; j < C; ++j) {
      const int64_t i = (int64_t)y.at({n, j, 0, 0}) / HW - n * C;  // input channel
      std::printf(" %lld", (long long)i);
      article = article && i == std::vector<int64_t>{0, 2, 1, 3}[j];
    }
    std::printf("\n");
  }
  claim(article, "in every sample, output j takes input (j % g) * (C/g) + j / g: 0 2 1 3");
  claim(y.to_vector() == std::vector<float>{0,  1,  2,  3,  8,  9,  10, 11, 4,  5,  6,
                                            7,  12, 13, 14, 15, 16, 17, 18, 19, 24, 25,
                                            26, 27, 20, 21, 22, 23, 28, 29, 30, 31},
        "the article's numbers, float for float: samples never mix");
  claim(channel_shuffle(x, g).to_vector() == y.to_vector(),
        "sl::channel_shuffle does exactly these steps");
  claim(channel_shuffle(y, C / g).to_vector() == x.to_vector(),
        "shuffling with C/g groups undoes it");
  return failures == 0 ? 0 : 1;
}
