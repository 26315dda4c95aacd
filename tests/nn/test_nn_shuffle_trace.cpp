// tests/nn/test_nn_shuffle_trace.cpp - the step-by-step trace of channel shuffle that
// `shufflelab shuffle` prints and the app's Shuffle panel draws (nn/shuffle_trace.h):
// the article's example 2x4x2x2, G = 2, with its numbers written out by hand; copies as
// copy_stats() counts them; the read path from the strides; the failing view's message.
#include "nn/shuffle_trace.h"
#include "tests/helpers.h"

using namespace sl;

TEST_CASE("shuffle trace: the article's example, x = 0..31 of shape 2x4x2x2, G = 2") {
  const ShuffleExample ex;  // the defaults are the article's example
  CHECK(ex.N == 2);
  CHECK(ex.C == 4);
  CHECK(ex.G == 2);
  CHECK(ex.H == 2);
  CHECK(ex.W == 2);
  const Tensor x = Tensor::arange(32).view({2, 4, 2, 2});
  const ShuffleTrace tr = trace_channel_shuffle(x, 2);
  REQUIRE(tr.steps.size() == (size_t)kShuffleTraceSteps);
  // Each sample's channels [c0 c1 | c2 c3] come out as [c0 c2 | c1 c3]; samples never mix.
  CHECK(tr.steps[4].tensor.to_vector() ==
        std::vector<float>{0,  1,  2,  3,  8,  9,  10, 11, 4,  5,  6,  7,  12, 13, 14, 15,
                           16, 17, 18, 19, 24, 25, 26, 27, 20, 21, 22, 23, 28, 29, 30, 31});
  CHECK(tr.order == std::vector<std::vector<int64_t>>{{0, 2, 1, 3}, {0, 2, 1, 3}});
  CHECK(tr.matches_core_op);

  const char* ops[] = {"input", "view", "transpose", "contiguous", "view"};
  const Shape shapes[] = {
      {2, 4, 2, 2}, {2, 2, 2, 2, 2}, {2, 2, 2, 2, 2}, {2, 2, 2, 2, 2}, {2, 4, 2, 2}};
  const Shape strides[] = {
      {16, 4, 2, 1}, {16, 8, 4, 2, 1}, {16, 4, 8, 2, 1}, {16, 8, 4, 2, 1}, {16, 4, 2, 1}};
  for (int k = 0; k < kShuffleTraceSteps; ++k) {
    CAPTURE(k);
    const ShuffleTraceStep& st = tr.steps[k];
    CHECK(st.op == ops[k]);
    CHECK(st.tensor.shape() == shapes[k]);
    CHECK(st.tensor.strides() == strides[k]);
    CHECK(st.copies == (k == 3 ? 1 : 0));  // one copy, by contiguous(), counted by copy_stats()
    CHECK(st.bytes == (k == 3 ? 32 * 4 : 0));
    CHECK(st.shares_input_storage == (k <= 2));
  }
  CHECK(tr.steps[4].code_values == "y.view({2, -1, 2, 2})");
  // The transposed view reads x's buffer in this order; with x = 0..31 the values are offsets.
  CHECK(tr.read_path == std::vector<int64_t>{0,  1,  2,  3,  8,  9,  10, 11, 4,  5,  6,
                                             7,  12, 13, 14, 15, 16, 17, 18, 19, 24, 25,
                                             26, 27, 20, 21, 22, 23, 28, 29, 30, 31});
  CHECK(tr.view_error ==
        "view: (2,2,2,2,2) with strides (16,4,8,2,1) cannot be viewed as (2,4,2,2) without a "
        "copy; call contiguous() first or use reshape()");
}

TEST_CASE("shuffle trace: channel labels, G = 1 and G = C, bad input") {
  const Tensor x = channel_labels({.N = 1, .C = 6, .G = 3, .H = 1, .W = 2});
  CHECK(x.to_vector() == std::vector<float>{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  CHECK(trace_channel_shuffle(x, 3).order[0] == std::vector<int64_t>{0, 2, 4, 1, 3, 5});
  for (int64_t G : {1, 6}) {  // the transpose swaps a dim of size 1: nothing moves
    const ShuffleTrace tr = trace_channel_shuffle(x, G);
    for (const ShuffleTraceStep& st : tr.steps) CHECK(st.copies == 0);
    CHECK(tr.view_error.empty());
    CHECK(tr.order[0] == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  }
  CHECK_THROWS_AS(trace_channel_shuffle(x, 4), Error);
  CHECK_THROWS_AS(trace_channel_shuffle(Tensor::arange(6), 2), Error);
  CHECK_THROWS_AS(trace_channel_shuffle(x.transpose(1, 3), 2), Error);  // not contiguous
}

TEST_CASE("shuffle trace: the strided read path of a transposed matrix") {
  const Tensor m = Tensor::arange(6).view({2, 3});
  CHECK(strided_read_path(m) == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  CHECK(strided_read_path(m.transpose(0, 1)) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  CHECK(strided_read_path(m.narrow(1, 1, 2)) == std::vector<int64_t>{1, 2, 4, 5});  // offset 1
}
