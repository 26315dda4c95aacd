// tests/core/test_kernels_contract.cpp - the backend contract enforces itself: every op
// reaches its kernel through SL_KERNEL, so a backend that leaves an entry null gives
// "<entry> is not supported on the <backend> backend yet" instead of a crash. Proved with
// a copy of the CPU table with one entry removed, installed by the test-only
// override_backend_for_testing.
#include "core/cpu/kernels.h"
#include "tests/helpers.h"

using namespace sl;
using sl::test::error_of;

namespace {

// While alive, Device::cpu runs on a copy of the CPU table named "partial" with one entry
// set to null by `remove`.
class PartialCpu {
 public:
  explicit PartialCpu(void (*remove)(Backend&)) : table_(cpu::table()) {
    table_.name = "partial";
    remove(table_);
    override_backend_for_testing(Device::cpu, &table_);
  }
  ~PartialCpu() { override_backend_for_testing(Device::cpu, nullptr); }
  PartialCpu(const PartialCpu&) = delete;
  PartialCpu& operator=(const PartialCpu&) = delete;

 private:
  Backend table_;
};

}  // namespace

TEST_CASE("backend contract: a null entry is a clear error naming the entry and the backend") {
  const Tensor x = sl::test::rand_tensor({1, 6, 2, 2}, 1);
  const Tensor m = sl::test::rand_tensor({3, 4}, 2);
  {
    PartialCpu p([](Backend& b) { b.channel_shuffle = nullptr; });
    CHECK(error_of([&] { channel_shuffle(x, 3); }) ==
          "channel_shuffle is not supported on the partial backend yet (run on --device cpu, or "
          "implement it in "
          "core/partial/ and its table)");
    CHECK(channel_shuffle_reference(x, 3).shape() ==
          x.shape());  // the composition needs no shuffle kernel
  }
  {
    PartialCpu p([](Backend& b) { b.matmul = nullptr; });
    CHECK(error_of([&] {
            matmul(m, m.transpose(0, 1));
          }).find("matmul is not supported on the partial backend yet") == 0);
  }
  {
    PartialCpu p([](Backend& b) { b.copy_strided = nullptr; });
    CHECK(error_of([&] { m.transpose(0, 1).contiguous(); }).find("copy_strided is not supported") ==
          0);
    CHECK(error_of([&] { cat({m, m}, 1); }).find("copy_strided is not supported") == 0);
  }
  {
    PartialCpu p([](Backend& b) { b.relu_backward = nullptr; });
    Tensor a = sl::test::rand_tensor({5}, 3).requires_grad_();
    Tensor y = sum(relu(a));  // the forward needs only unary
    CHECK(error_of([&] {
            y.backward();
          }).find("relu_backward is not supported on the partial backend yet") == 0);
  }
  {
    PartialCpu p([](Backend& b) { b.reduce = nullptr; });
    CHECK(error_of([&] { sum(m); }).find("reduce is not supported") == 0);
  }
  // with the override gone, the built-in table is back
  CHECK(channel_shuffle(x, 3).to_vector() == channel_shuffle_reference(x, 3).to_vector());
}
