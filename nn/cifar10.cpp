// nn/cifar10.cpp - CIFAR-10 binary reading with validation, augmentation, and the
// background batch loader. Everything fails with an sl::Error that names the file (and
// byte offset) and says how to fix it; nothing here prints or exits.
// [SECTION] index: finding the data | reading | augmentation | batch loader
#include "nn/cifar10.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>

namespace sl {

namespace fs = std::filesystem;

// [SECTION] finding the data

namespace {

const char* kHint = "hint: run scripts/get-cifar10 (or pass --data DIR, or set SHUFFLELAB_DATA)";

bool has_batches(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "test_batch.bin", ec) ||
         fs::is_regular_file(dir / "data_batch_1.bin", ec);
}

// A batch file must be a regular file; says "missing", "a directory" or "not a regular file".
void check_batch_file(const std::string& path, const std::string& layout) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  SL_CHECK(fs::exists(st), "CIFAR-10 batch file ", path, " is missing", layout, "\n", kHint);
  SL_CHECK(!fs::is_directory(st), "CIFAR-10 batch file ", path, " is a directory, not a file",
           layout, "\n", kHint);
  SL_CHECK(fs::is_regular_file(st), "CIFAR-10 batch file ", path,
           " is not a regular file (a device or a pipe?)", layout, "\n", kHint);
}

}  // namespace

std::string cifar10_find_dir(const std::string& flag) {
  const char* env = std::getenv("SHUFFLELAB_DATA");
  const bool use_env = flag.empty() && env && *env;
  const fs::path dir = !flag.empty() ? fs::path(flag)
                       : use_env     ? fs::path(env)
                                     : fs::path("data/cifar-10-batches-bin");
  const char* from = !flag.empty() ? "--data"
                     : use_env     ? "$SHUFFLELAB_DATA"
                                   : "the default; set --data or SHUFFLELAB_DATA";
  if (has_batches(dir)) return dir.string();
  if (has_batches(dir / "cifar-10-batches-bin")) return (dir / "cifar-10-batches-bin").string();
  std::error_code ec;
  const std::string abs = fs::absolute(dir, ec).string();
  throw Error(str_cat("CIFAR-10 not found: looked for data_batch_1.bin or test_batch.bin in ", abs,
                      " (", from, ") and in ", abs, "/cifar-10-batches-bin\n", kHint));
}

// [SECTION] reading

Cifar10 cifar10_read_file(const std::string& path, int64_t limit) {
  std::error_code ec;
  check_batch_file(path, "");
  const auto bytes = (int64_t)fs::file_size(path, ec);
  SL_CHECK(!ec, "cannot read the size of ", path, ": ", ec.message());
  SL_CHECK(bytes > 0 && bytes % kCifarRecord == 0, path, " is ", bytes,
           " bytes, not a positive multiple of the ", kCifarRecord,
           "-byte CIFAR-10 record (truncated download, or not the binary version?)\n", kHint);
  int64_t n = bytes / kCifarRecord;
  if (limit >= 0 && limit < n) n = limit;

  std::ifstream f(path, std::ios::binary);
  SL_CHECK(f.good(), "cannot open ", path, ": ", std::strerror(errno));
  std::vector<uint8_t> raw((size_t)(n * kCifarRecord));
  f.read(reinterpret_cast<char*>(raw.data()), (std::streamsize)raw.size());
  SL_CHECK(f.gcount() == (std::streamsize)raw.size(), "cannot read ", path, ": got ", f.gcount(),
           " of ", raw.size(), " bytes");

  Cifar10 out;
  out.labels.resize((size_t)n);
  out.images.resize((size_t)(n * kCifarPixels));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* rec = raw.data() + i * kCifarRecord;
    SL_CHECK(rec[0] < kCifarClasses, path, ": label ", (int)rec[0], " at byte offset ",
             i * kCifarRecord, " (record ", i,
             ") is outside 0-9 (a CIFAR-100 file, or a corrupt one?)\n", kHint);
    out.labels[(size_t)i] = rec[0];
    std::memcpy(out.images.data() + i * kCifarPixels, rec + 1, (size_t)kCifarPixels);
  }
  return out;
}

Cifar10 cifar10_load(const std::string& dir, bool train, int64_t limit) {
  std::vector<std::string> files;
  if (train) {
    for (int i = 1; i <= 5; ++i)
      files.push_back((fs::path(dir) / str_cat("data_batch_", i, ".bin")).string());
  } else {
    files.push_back((fs::path(dir) / "test_batch.bin").string());
  }
  for (const std::string& f : files)
    check_batch_file(
        f,
        str_cat(" (", dir, " must hold data_batch_1.bin .. data_batch_5.bin and test_batch.bin)"));
  Cifar10 all;
  for (const std::string& f : files) {
    const int64_t want = limit < 0 ? -1 : limit - all.size();
    if (want == 0) break;
    Cifar10 part = cifar10_read_file(f, want);
    all.labels.insert(all.labels.end(), part.labels.begin(), part.labels.end());
    all.images.insert(all.images.end(), part.images.begin(), part.images.end());
  }
  return all;
}

// [SECTION] augmentation

CropFlip random_crop_flip(Generator& gen) {
  CropFlip a;
  a.dy = (int)(gen.next_u64() % 9);
  a.dx = (int)(gen.next_u64() % 9);
  a.flip = (gen.next_u64() & 1) != 0;
  return a;
}

// out[c, y, x] = (padded[c, y + dy, x' + dx] / 255 - mean[c]) / std[c], x' = flip ? 31 - x : x,
// where padded is the image with a 4-pixel border of zeros (so padded[c, r, s] = image[c,
// r - 4, s - 4] inside, 0 outside).
void cifar10_augment_normalize(float* out, const uint8_t* image, const CropFlip& a) {
  const int64_t S = kCifarSide;
  for (int64_t c = 0; c < 3; ++c) {
    const float scale = 1.f / (255.f * kCifarStd[c]);
    const float shift = -kCifarMean[c] / kCifarStd[c];  // the value of a zero (padding) pixel
    const uint8_t* src = image + c * S * S;
    float* dst = out + c * S * S;
    for (int64_t y = 0; y < S; ++y) {
      const int64_t sy = y + a.dy - 4;
      for (int64_t x = 0; x < S; ++x) {
        const int64_t sx = (a.flip ? S - 1 - x : x) + a.dx - 4;
        const bool inside = sy >= 0 && sy < S && sx >= 0 && sx < S;
        dst[y * S + x] = inside ? (float)src[sy * S + sx] * scale + shift : shift;
      }
    }
  }
}

// [SECTION] batch loader

uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c) {
  Generator g(a);
  uint64_t h = g.next_u64();
  g.set_state(h ^ (b * 0x9e3779b97f4a7c15ULL));
  h = g.next_u64();
  g.set_state(h ^ (c * 0xc2b2ae3d27d4eb4fULL));
  return g.next_u64();
}

BatchLoader::BatchLoader(const Cifar10& data, const LoaderOptions& opt) : data_(data), opt_(opt) {
  SL_CHECK(opt.batch >= 1, "BatchLoader: batch must be at least 1, it is ", opt.batch);
  SL_CHECK(data.size() > 0, "BatchLoader: the data set is empty");
}

BatchLoader::~BatchLoader() {
  if (worker_.joinable()) worker_.join();
}

int64_t BatchLoader::batches_per_epoch() const {
  return (data_.size() + opt_.batch - 1) / opt_.batch;
}

void BatchLoader::start_epoch(int64_t epoch, int64_t first) {
  wait();  // a batch still being built for the previous epoch is dropped
  epoch_ = epoch;
  next_ = first;
  const int64_t n = data_.size();
  order_.resize((size_t)n);
  for (int64_t i = 0; i < n; ++i) order_[(size_t)i] = i;
  if (opt_.shuffle) {  // Fisher-Yates with the epoch's own generator
    Generator g(mix_seed(opt_.seed, (uint64_t)epoch, ~0ULL));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order_[(size_t)i], order_[(size_t)(g.next_u64() % (uint64_t)(i + 1))]);
  }
  if (next_ < batches_per_epoch()) launch(next_);
}

bool BatchLoader::next(Batch& out) {
  if (next_ >= batches_per_epoch()) return false;
  wait();
  SL_CHECK(ready_index_ == next_, "BatchLoader: next() called before start_epoch()");
  out = std::move(ready_);
  ready_index_ = -1;
  ++next_;
  if (next_ < batches_per_epoch()) launch(next_);  // built while the caller trains on `out`
  return true;
}

void BatchLoader::launch(int64_t b) {
  worker_ = std::thread([this, b] {
    try {
      build(b, ready_);
      ready_index_ = b;
    } catch (...) {
      error_ = std::current_exception();
    }
  });
}

void BatchLoader::wait() {
  if (worker_.joinable()) worker_.join();
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
}

// Batch b of the current epoch: images order_[b*B .. min((b+1)*B, n)).
void BatchLoader::build(int64_t b, Batch& out) const {
  const int64_t begin = b * opt_.batch, end = std::min(begin + opt_.batch, data_.size());
  const int64_t B = end - begin;
  Generator g(mix_seed(opt_.seed, (uint64_t)epoch_, (uint64_t)b));
  out.x = Tensor::empty({B, 3, kCifarSide, kCifarSide});
  out.y.resize((size_t)B);
  float* x = out.x.data();
  for (int64_t i = 0; i < B; ++i) {
    const int64_t k = order_[(size_t)(begin + i)];
    const CropFlip a = opt_.augment ? random_crop_flip(g) : CropFlip{};
    cifar10_augment_normalize(x + i * kCifarPixels, data_.images.data() + k * kCifarPixels, a);
    out.y[(size_t)i] = data_.labels[(size_t)k];
  }
}

}  // namespace sl
