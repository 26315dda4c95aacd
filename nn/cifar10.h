// nn/cifar10.h - CIFAR-10 in its official binary layout (docs/commands.md): finding
// the folder, reading and validating the batch files, the training augmentation (random
// crop with 4-pixel zero padding, horizontal flip) and normalisation, and a batch loader
// that prepares the next batch on a background thread. Deterministic given the seed.
// Not here: the training loop (nn/train.h), downloading (scripts/get-cifar10).
#pragma once
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "core/tensor.h"

namespace sl {

// One record is 1 label byte + 3 * 32 * 32 pixel bytes (1,024 red, green, blue, row-major).
constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarPixels = 3 * kCifarSide * kCifarSide;  // 3,072
constexpr int64_t kCifarRecord = 1 + kCifarPixels;             // 3,073
constexpr int kCifarClasses = 10;

// Per-channel mean and std of the training set (pixels scaled to [0, 1]).
constexpr float kCifarMean[3] = {0.4914f, 0.4822f, 0.4465f};
constexpr float kCifarStd[3] = {0.2470f, 0.2435f, 0.2616f};

// images [N, 3, 32, 32] as bytes, labels N values in 0-9.
struct Cifar10 {
  std::vector<uint8_t> images;
  std::vector<uint8_t> labels;
  int64_t size() const { return (int64_t)labels.size(); }
};

// The data folder: `flag` when non-empty, else $SHUFFLELAB_DATA, else
// ./data/cifar-10-batches-bin. A folder that holds cifar-10-batches-bin/ is accepted
// too. Throws naming every place it looked, with "hint: run scripts/get-cifar10".
std::string cifar10_find_dir(const std::string& flag = "");

// Reads up to `limit` records (-1: all) of one batch file. Throws on a missing file, a
// size that is not a multiple of 3,073 bytes, or a label outside 0-9 (naming the file and
// the byte offset of the label).
Cifar10 cifar10_read_file(const std::string& path, int64_t limit = -1);

// The 50,000 training images (data_batch_1..5.bin, in order) or the 10,000 test images
// (test_batch.bin), the first `limit` of them when limit >= 0. Every batch file the split
// names must exist, even when `limit` needs fewer.
Cifar10 cifar10_load(const std::string& dir, bool train, int64_t limit = -1);

// [SECTION] augmentation
// Where one image is cropped from: its 40x40 zero-padded version is read at rows
// dy .. dy+31 and columns dx .. dx+31 (dy, dx in 0-8; 4, 4 is the identity), mirrored
// left-right when flip.
struct CropFlip {
  int dy = 4, dx = 4;
  bool flip = false;
};
CropFlip random_crop_flip(Generator& gen);

// bytes [3, 32, 32] -> out [3, 32, 32] floats: crop/flip, then (pixel / 255 - mean) / std.
// Padding pixels are 0 before normalisation, as in torchvision's RandomCrop(32, padding=4).
void cifar10_augment_normalize(float* out, const uint8_t* image, const CropFlip& a);

// [SECTION] batch loader
struct Batch {
  Tensor x;            // [B, 3, 32, 32] float, normalised
  std::vector<int> y;  // B labels
};

struct LoaderOptions {
  int64_t batch = 128;
  bool shuffle = true;  // a new permutation every epoch
  bool augment = true;  // random crop + flip
  uint64_t seed = 0;
};

// Walks `data` in batches (the last one may be smaller). The order of epoch e and the
// augmentation of its batch b are functions of (seed, e, b) only, so a run resumed at any
// step sees exactly the images it would have seen. While the caller trains on batch b, a
// background std::thread builds batch b + 1.
class BatchLoader {
 public:
  BatchLoader(const Cifar10& data, const LoaderOptions& opt);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t batches_per_epoch() const;
  // Starts epoch `epoch` at batch `first` (non-zero when resuming mid-epoch).
  void start_epoch(int64_t epoch, int64_t first = 0);
  // The next batch of the epoch; false when the epoch is done.
  bool next(Batch& out);

 private:
  void build(int64_t b, Batch& out) const;  // runs on the worker thread
  void launch(int64_t b);
  void wait();

  const Cifar10& data_;
  LoaderOptions opt_;
  int64_t epoch_ = 0, next_ = 0;
  std::vector<int64_t> order_;
  std::thread worker_;
  Batch ready_;
  int64_t ready_index_ = -1;
  std::exception_ptr error_;  // thrown on the worker, rethrown by wait()
};

// splitmix64 of a few words: the seed of the generator for (seed, epoch, batch).
uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0);

}  // namespace sl
