// lessons/02_tensors/main.cpp - the lesson's program: the article's example x of shape
// (2,4,2,2) with g = 2 taken through view -> transpose -> contiguous -> view, printing
// shape, strides, offset and copy_stats() after each step, and checking every claim of
// the README (exit 1 if one fails). Not a test suite: tests/core/test_tensor.cpp is.
#include <cstdio>
#include <string>

#include "core/tensor.h"
#include "lessons/check.h"

using namespace sl;
using lesson::claim;

static void show(const char* what, const Tensor& t) {
  std::printf("%-22s shape %-13s strides %-14s offset %lld  contiguous %-3s  copies so far %lld\n",
              what, shape_str(t.shape()).c_str(), shape_str(t.strides()).c_str(),
              (long long)t.offset(), t.is_contiguous() ? "yes" : "no",
              (long long)copy_stats().copies);
}

// Where element idx lives: offset + sum_k idx[k] * strides[k] (the whole idea of a view).
static int64_t address(const Tensor& t, const Shape& idx) {
  int64_t a = t.offset();
  for (size_t k = 0; k < idx.size(); ++k) a += idx[k] * t.strides()[k];
  return a;
}

int main() {
  // The article's example: N = 2, C = 4, H = W = 2, g = 2; element i holds the value i.
  const int64_t N = 2, C = 4, H = 2, W = 2, g = 2;
  reset_copy_stats();
  const Tensor x = Tensor::arange(N * C * H * W).view({N, C, H, W});
  std::printf("1. x, 32 floats in one Storage, row-major\n");
  show("x", x);
  claim(x.strides() == Shape{16, 4, 2, 1},
        "contiguous strides are suffix products of the shape: (16,4,2,1)");
  claim(x.at({1, 2, 0, 1}) == x.data()[address(x, {1, 2, 0, 1})],
        "element (1,2,0,1) sits at offset + sum(index * stride) = 16 + 8 + 0 + 1 = 25");

  std::printf("\n2. channel shuffle by hand: view -> transpose -> contiguous -> view\n");
  const Tensor v = x.view({N, g, C / g, H, W});
  show("view (N,g,C/g,H,W)", v);
  const Tensor t = v.transpose(1, 2);
  show("transpose(1, 2)", t);
  claim(v.shares_storage(x) && t.shares_storage(x) && copy_stats().copies == 0,
        "view and transpose share x's storage and copy nothing");
  claim(t.strides() == Shape{16, 4, 8, 2, 1} && !t.is_contiguous(),
        "transpose swapped two strides (8 and 4), so t is no longer contiguous");
  claim(t.at({0, 1, 0, 0, 0}) == 4.f && t.at({0, 0, 1, 0, 0}) == 8.f,
        "t(0,1,0,..) is channel 1 (value 4) and t(0,0,1,..) is channel 2 (value 8)");

  std::printf("\n3. view after transpose: no strides can describe it, so view refuses\n");
  std::string err;
  try {
    (void)t.view({N, C, H, W});
  } catch (const Error& e) {
    err = e.what();
  }
  std::printf("   sl::Error: %s\n", err.c_str());
  claim(err.find("contiguous()") != std::string::npos,
        "the error names the fix: call contiguous() first");

  const Tensor c = t.contiguous();
  show("contiguous()", c);
  claim(copy_stats().copies == 1 && copy_stats().bytes == N * C * H * W * 4 && !c.shares_storage(x),
        "contiguous() is the one copy: 32 floats = 128 bytes into a new storage");
  const Tensor y = c.view({N, C, H, W});
  show("view (N,C,H,W)", y);
  claim(copy_stats().copies == 1 && y.shares_storage(c), "the last view is free again");
  claim(y.at({0, 1, 0, 0}) == 8.f && y.at({0, 2, 0, 0}) == 4.f,
        "channels come out in the order 0 2 1 3 (for C = 4, g = 2)");
  claim(c.contiguous().shares_storage(c) && copy_stats().copies == 1,
        "contiguous() on a contiguous tensor returns it as is");
  claim(y.to_vector() == channel_shuffle(x, g).to_vector(),
        "these four steps are sl::channel_shuffle (one more copy)");

  std::printf("\n4. view(-1) infers the one missing size\n");
  const Tensor flat = x.view({-1}), rows = x.view({N, -1});
  show("view(-1)", flat);
  show("view(N, -1)", rows);
  claim(flat.shape() == Shape{32} && rows.shape() == Shape{2, 16},
        "-1 becomes numel / (product of the others)");
  std::string err_infer;
  try {
    (void)x.view({-1, 3});
  } catch (const Error& e) {
    err_infer = e.what();
  }
  std::printf("   view(-1, 3): %s\n", err_infer.c_str());
  claim(!err_infer.empty(),
        "32 elements cannot be viewed as (-1, 3): view throws instead of guessing");
  const int64_t before = copy_stats().copies;
  const Tensor r = t.reshape({N, C, H, W});
  claim(copy_stats().copies == before + 1 && !r.shares_storage(x),
        "reshape is view when it can be and contiguous().view when it cannot (here: one copy)");

  std::printf("\n5. other views: narrow moves the offset, expand sets stride 0\n");
  const Tensor second_group = x.narrow(1, 2, 2);
  const Tensor wide = Tensor::arange(4).view({1, 4, 1, 1}).expand({2, 4, 2, 2});
  show("x.narrow(1, 2, 2)", second_group);
  show("expand to (2,4,2,2)", wide);
  claim(second_group.offset() == 8 && second_group.shares_storage(x),
        "narrow(1, 2, 2) starts at channel 2: offset 8");
  claim(wide.strides() == Shape{0, 1, 0, 0}, "expand repeats by stride 0: 4 floats look like 32");

  std::printf("\n6. ops that compute make new tensors; copy_stats() counts layout copies only\n");
  const int64_t copies = copy_stats().copies;
  const Tensor s = add(x, x);
  claim(!s.shares_storage(x) && s.is_contiguous() && copy_stats().copies == copies,
        "add writes a fresh contiguous output, which is not a layout copy");
  claim(add(t, t).to_vector() == add(t.contiguous(), t.contiguous()).to_vector(),
        "element-wise ops read any strides directly, no contiguous() needed");
  std::printf("\nLook at: the strides column. Only contiguous() and reshape of a transposed tensor "
              "moved data.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
