// tests/core/test_tensor_devices.cpp - one case run over every available backend
// (design.md item 5): each op on each device must match the CPU result. Where no CUDA
// GPU is present (or the build has no CUDA), the CUDA pass is skipped with a message.
#include "tests/helpers.h"

using namespace sl;
using sl::test::check_close;
using sl::test::rand_tensor;

namespace {

std::vector<Device> devices() {
  std::vector<Device> out{Device::cpu};
  if (cuda_available())
    out.push_back(Device::cuda);
  else
    MESSAGE("cuda backend skipped: no CUDA GPU in this build or on this machine");
  return out;
}

}  // namespace

TEST_CASE("every backend agrees with the CPU on the core ops") {
  Tensor a = rand_tensor({2, 6, 3, 4}, 1), b = rand_tensor({6, 1, 4}, 2);
  Tensor m1 = rand_tensor({3, 5, 7}, 3), m2 = rand_tensor({3, 7, 4}, 4);
  for (Device d : devices()) {
    CAPTURE(device_name(d));
    Tensor ad = a.to(d), bd = b.to(d);
    CHECK(ad.device() == d);
    check_close(add(ad, bd).to(Device::cpu), add(a, b), 1e-6, 1e-5, "add");
    check_close(div(ad, add(abs(bd), Tensor::full({1}, 1.f, d))).to(Device::cpu),
                div(a, add(abs(b), Tensor::full({1}, 1.f))), 1e-6, 1e-5, "div");
    check_close(relu(ad).to(Device::cpu), relu(a), 0, 0, "relu");
    check_close(exp(ad).to(Device::cpu), exp(a), 1e-6, 1e-5, "exp");
    check_close(sum(ad, {1, 3}).to(Device::cpu), sum(a, {1, 3}), 1e-5, 1e-5, "sum");
    check_close(max(ad, 2).to(Device::cpu), max(a, 2), 0, 0, "max");
    check_close(ad.transpose(1, 3).contiguous().to(Device::cpu), a.transpose(1, 3).contiguous(), 0,
                0, "contiguous");
    check_close(channel_shuffle(ad, 3).to(Device::cpu), channel_shuffle(a, 3), 0, 0,
                "channel_shuffle");
    check_close(cat({ad, ad}, 1).to(Device::cpu), cat({a, a}, 1), 0, 0, "cat");
    check_close(matmul(m1.to(d), m2.to(d)).to(Device::cpu), matmul(m1, m2), 1e-5, 1e-4, "matmul");
    // autograd runs on the device too
    Tensor x = a.to(d).detach().requires_grad_();
    sum(mul(relu(x), x)).backward();
    Tensor xc = a.detach().requires_grad_();
    sum(mul(relu(xc), xc)).backward();
    check_close(x.grad().to(Device::cpu), xc.grad(), 1e-6, 1e-5, "grad");
  }
}
