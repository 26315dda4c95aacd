// lessons/14_cuda_backend/check.cpp - the checker of exercise 14, on the CPU only: the
// learner's shuffle_gather_index, used as a gather over a random tensor, against
// sl::channel_shuffle (group counts and sizes of the models, HW odd and a multiple of 4);
// depthwise_source_row against a brute-force search, and used to build a depthwise
// convolution's input gradient, against autograd's. Exit 0 solved, 1 wrong, 77 the stub.
#include "lessons/14_cuda_backend/exercise.h"

#include "lessons/check.h"
#include "nn/conv2d.h"

using namespace sl;
using lesson::Checker;

int main() {  // NOLINT(bugprone-exception-escape): an uncaught sl::Error ends it with its message
  std::printf("exercise 14: the index arithmetic of the shuffle and depthwise CUDA kernels\n");
  Checker check("exercise 14", "lessons/14_cuda_backend/exercise.cpp");
  Generator gen(14);
  struct Shuffle {
    int64_t N, C, G, H, W;
  };
  for (const Shuffle s : {Shuffle{1, 4, 2, 1, 1}, Shuffle{2, 24, 2, 3, 5}, Shuffle{2, 24, 3, 4, 4},
                          Shuffle{3, 16, 8, 7, 1}, Shuffle{1, 6, 6, 2, 2}}) {
    check.run(
        str_cat("shuffle_gather_index, [", s.N, ", ", s.C, ", ", s.H, ", ", s.W, "], G = ", s.G),
        [&]() -> std::string {
          const Tensor x = Tensor::randn({s.N, s.C, s.H, s.W}, gen);
          const std::vector<float> xv = x.to_vector();
          std::vector<float> out(xv.size());
          const int64_t hw = s.H * s.W;
          for (int64_t e = 0; e < (int64_t)out.size(); ++e) {  // one "thread" per element
            const int64_t i = shuffle_gather_index(e, s.N, s.C, s.G, hw);
            if (i < 0 || i >= (int64_t)xv.size())
              return str_cat("element ", e, ": index ", i, " is outside x (", xv.size(),
                             " elements)");
            out[(size_t)e] = xv[(size_t)i];
          }
          return Checker::same(Tensor::from_data(out, x.shape()), channel_shuffle(x, s.G), 0.0);
        });
  }
  for (int64_t stride : {1, 2}) {
    check.run(str_cat("depthwise_source_row, stride ", stride, ", every ih and kh"),
              [&]() -> std::string {
                for (int64_t H : {1, 2, 7, 8, 33}) {
                  const int64_t H_out = (H + 2 - 3) / stride + 1;
                  for (int64_t ih = 0; ih < H; ++ih)
                    for (int64_t kh = 0; kh < 3; ++kh) {
                      int64_t want = -1;
                      for (int64_t oh = 0; oh < H_out; ++oh)
                        if (oh * stride - 1 + kh == ih) want = oh;
                      const int64_t got = depthwise_source_row(ih, kh, stride, H_out);
                      if (got != want)
                        return str_cat("H = ", H, ", ih = ", ih, ", kh = ", kh, ": returned ", got,
                                       ", expected ", want);
                    }
                }
                return "";
              });
    check.run(str_cat("the depthwise input gradient built from it equals autograd's, stride ",
                      stride),
              [&]() -> std::string {
                const int64_t N = 2, C = 3, H = 9, W = 8;
                const Tensor x = Tensor::randn({N, C, H, W}, gen).requires_grad_(true);
                const Tensor w = Tensor::randn({C, 1, 3, 3}, gen);
                const Tensor out = conv2d(x, w, {.stride = stride, .padding = 1, .groups = C});
                const Tensor dout = Tensor::randn(out.shape(), gen);
                sum(out * dout).backward();
                const int64_t Ho = out.size(2), Wo = out.size(3);
                const std::vector<float> d = dout.to_vector(), wv = w.to_vector();
                std::vector<float> dx((size_t)(N * C * H * W));
                for (int64_t p = 0; p < N * C; ++p)  // p = n * C + c, one plane
                  for (int64_t ih = 0; ih < H; ++ih)
                    for (int64_t iw = 0; iw < W; ++iw) {
                      float acc = 0.f;
                      for (int64_t kh = 0; kh < 3; ++kh) {
                        const int64_t oh = depthwise_source_row(ih, kh, stride, Ho);
                        if (oh < 0) continue;
                        for (int64_t kw = 0; kw < 3; ++kw) {
                          const int64_t ow = depthwise_source_row(iw, kw, stride, Wo);
                          if (ow >= 0)
                            acc += d[(size_t)((p * Ho + oh) * Wo + ow)] *
                                   wv[(size_t)(p % C * 9 + kh * 3 + kw)];
                        }
                      }
                      dx[(size_t)((p * H + ih) * W + iw)] = acc;
                    }
                return Checker::same(Tensor::from_data(dx, x.shape()), x.grad(), 1e-5);
              });
  }
  return check.finish();
}
