// tests/core/test_cuda_host.cpp - the parts of the CUDA backend that run without a GPU:
// the caching allocator's bookkeeping (core/cuda/block_cache.h, over fake device memory),
// the reason a device is unavailable, and the --device flag of every command that runs a
// model (a bad name is exit 2; an unusable device is exit 1 naming why). Not here: the
// kernels (test_cuda_vs_cpu.cpp, which needs a GPU).
#include <map>

#include "core/backend.h"
#include "core/cuda/block_cache.h"
#include "tests/apps/run_cli.h"

using namespace sl;
using sl::cuda::BlockCache;

namespace {

// Fake device memory: hands out distinct addresses, refuses past `capacity` bytes.
struct FakeDevice {
  size_t capacity, used = 0;
  std::map<void*, size_t> blocks;
  uintptr_t next = 0x1000;
  BlockCache cache{[this](size_t n) -> void* {
                     if (used + n > capacity) return nullptr;
                     used += n;
                     void* p = reinterpret_cast<void*>(next);
                     next += n + 4096;
                     blocks[p] = n;
                     return p;
                   },
                   [this](void* p) {
                     REQUIRE(blocks.count(p) == 1);
                     used -= blocks[p];
                     blocks.erase(p);
                   }};
  explicit FakeDevice(size_t cap) : capacity(cap) {}
};

}  // namespace

TEST_CASE("cuda block cache: a freed block is reused for the next request of its size") {
  FakeDevice dev(1 << 20);
  void* a = dev.cache.allocate(1000);  // rounded up to 1024
  REQUIRE(a != nullptr);
  CHECK(dev.cache.stats().in_use_bytes == 1024);
  CHECK(dev.cache.release(a));
  CHECK(dev.cache.stats().cached_bytes == 1024);
  CHECK(dev.cache.allocate(1024) == a);  // same rounded size: the cached block, no new memory
  CHECK(dev.cache.stats().raw_allocs == 1);
  CHECK(dev.cache.stats().reuses == 1);
  CHECK(dev.cache.stats().raw_frees == 0);  // nothing went back to the device
  CHECK(dev.cache.allocate(0) != nullptr);  // a zero-byte request still gets a block
}

TEST_CASE("cuda block cache: best fit, and a small request never takes a much bigger block") {
  FakeDevice dev(1 << 20);
  void* big = dev.cache.allocate(64 * 1024);
  void* mid = dev.cache.allocate(5 * 512);
  dev.cache.release(big);
  dev.cache.release(mid);
  CHECK(dev.cache.allocate(4 * 512 + 1) == mid);  // 2560 for 2560: within a quarter
  void* small = dev.cache.allocate(512);          // 64 KiB is far too big: a new block
  CHECK(small != big);
  CHECK(dev.cache.stats().raw_allocs == 3);
  CHECK_FALSE(dev.cache.release(reinterpret_cast<void*>(0x42)));  // not one of its blocks
}

TEST_CASE("cuda block cache: when the device is full, the cache is handed back and retried") {
  FakeDevice dev(4096);
  void* a = dev.cache.allocate(2048);
  void* b = dev.cache.allocate(2048);
  REQUIRE((a && b));
  dev.cache.release(a);
  dev.cache.release(b);
  void* c = dev.cache.allocate(4096);  // no cached block fits; the device is full until both
  CHECK(c != nullptr);                 // cached blocks are freed
  CHECK(dev.cache.stats().raw_frees == 2);
  CHECK(dev.cache.stats().cached_bytes == 0);
  CHECK(dev.cache.allocate(512) == nullptr);  // truly full: null, the caller reports it
}

TEST_CASE("device_unavailable_reason says why CUDA cannot run, and backend() throws it") {
  CHECK(device_unavailable_reason(Device::cpu).empty());
  const std::string why = device_unavailable_reason(Device::cuda);
  CHECK(why.empty() == cuda_available());
  if (why.empty()) {
    CHECK(std::string(backend(Device::cuda).name) == "cuda");
    return;
  }
  CHECK(why.rfind("device cuda: ", 0) == 0);
  CHECK(test::has(why, "use --device cpu"));
  // one of the three reasons, each naming its cause
  CHECK((test::has(why, "this build has no CUDA backend") || test::has(why, "no NVIDIA driver") ||
         test::has(why, "found no CUDA device") || test::has(why, "could not start") ||
         test::has(why, "compute capability")));
  CHECK(test::error_of([] { (void)backend(Device::cuda); }) == why);
}

TEST_CASE("--device: a bad name is a usage error, an unusable device says why (exit 1)") {
  const char* commands[] = {
      "train --model v2-0.5 --epochs 1 --out /nonexistent/sl-device-test",
      "eval --model v2-0.5 --weights /nonexistent/w.safetensors",
      "profile --model v2-0.5 --time",
      "guidelines --quick",
      "bench --quick",
  };
  for (const char* c : commands) {
    const std::string cmd = c, name = cmd.substr(0, cmd.find(' '));
    CAPTURE(cmd);
    const test::Run bad = test::run_cli(cmd + " --device gpu");
    CHECK(bad.code == 2);
    CHECK(test::has(bad.out, name + ": --device must be cpu or cuda, got 'gpu'"));
    if (cuda_available()) continue;
    const test::Run r = test::run_cli(cmd + " --device cuda");
    CHECK(r.code == 1);
    CHECK(test::has(r.out, name + ": --device cuda is not available here: " +
                               device_unavailable_reason(Device::cuda)));
  }
}
