// tests/nn/train_fixtures.h - what the train tests share: a temporary folder that removes
// itself, CIFAR-10 batch files the tests write themselves (so no test needs the real data),
// and where the real data lives when it is present. Not a test.
#pragma once
#include <unistd.h>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/cifar10.h"

namespace sl::test {

// In /dev/shm where there is one: the checkpoint tests fsync hundreds of files, which on a
// real disk costs seconds and tests nothing more.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    std::error_code ec;
    const bool shm = std::filesystem::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0;
    path = (shm ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path()) /
           ("sl_test_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Record i of a synthetic file: label (first + i) % 10; pixel p of the record holds
// (first + i + p) % 256, so every image is different and its index can be read back.
inline std::vector<uint8_t> synthetic_records(int64_t n, int64_t first = 0) {
  std::vector<uint8_t> bytes((size_t)(n * kCifarRecord));
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* r = bytes.data() + i * kCifarRecord;
    r[0] = (uint8_t)((first + i) % 10);
    for (int64_t p = 0; p < kCifarPixels; ++p) r[1 + p] = (uint8_t)((first + i + p) % 256);
  }
  return bytes;
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), (std::streamsize)bytes.size());
}

// A folder in the official layout: data_batch_1..5.bin with `per_file` records each and
// test_batch.bin with `test` records. With learnable = true, each image is a noisy
// class-dependent colour pattern so that a model can fit it in a few steps.
inline void write_cifar_dir(const std::string& dir, int64_t per_file, int64_t test,
                            bool learnable = false) {
  std::filesystem::create_directories(dir);
  Generator g(42);
  auto make = [&](int64_t n, int64_t first) {
    std::vector<uint8_t> b = synthetic_records(n, first);
    if (learnable) {
      for (int64_t i = 0; i < n; ++i) {
        uint8_t* r = b.data() + i * kCifarRecord;
        const int y = r[0];
        for (int64_t p = 0; p < kCifarPixels; ++p) {
          const int64_t c = p / 1024, row = p % 1024 / 32;
          const float base = 40.f + 20.f * (float)((y * 3 + c * 7 + row / (1 + y % 4)) % 10);
          r[1 + p] = (uint8_t)std::min(255.f, std::max(0.f, base + 30.f * g.normal()));
        }
      }
    }
    return b;
  };
  for (int k = 1; k <= 5; ++k)
    write_bytes(dir + "/data_batch_" + std::to_string(k) + ".bin",
                make(per_file, (k - 1) * per_file));
  write_bytes(dir + "/test_batch.bin", make(test, 5 * per_file));
}

// The synthetic set of the checkpoint and command-line tests: 40 training images (5 steps
// of 8 per epoch) and 16 test images; under ASan/UBSan, where a step costs ~10x, 10 and 4.
#ifdef SL_SANITIZED
constexpr int64_t kTinyPerFile = 2, kTinyTest = 4;
#else
constexpr int64_t kTinyPerFile = 8, kTinyTest = 16;
#endif
constexpr int64_t kTinyBatch = 8, kTinySteps = (5 * kTinyPerFile + kTinyBatch - 1) / kTinyBatch;

// The real CIFAR-10 where development and CI machines keep it, or "" when absent.
inline std::string real_cifar_dir() {
  // The same places the trainer looks (nn/cifar10.h): $SHUFFLELAB_DATA, then the folder
  // scripts/get-cifar10 fills. CI sets SHUFFLELAB_DATA to where its machine keeps the data.
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SHUFFLELAB_DATA"); env && *env) dirs.push_back(env);
  dirs.push_back(std::string(SL_SOURCE_DIR) + "/data/cifar-10-batches-bin");
  for (const std::string& d : dirs)
    if (std::filesystem::is_regular_file(d + "/data_batch_1.bin") &&
        std::filesystem::is_regular_file(d + "/test_batch.bin"))
      return d;
  return "";
}

// Runs f and returns the sl::Error message it throws ("" when it throws nothing).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace sl::test
