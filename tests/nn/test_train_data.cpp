// tests/nn/test_train_data.cpp - the CIFAR-10 reader, its validation messages, the
// augmentation and the background batch loader (nn/cifar10.h), all on batch files the
// tests write themselves. Not here: the optimiser (test_train_optim.cpp), the loop
// (test_train_loop.cpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "tests/helpers.h"
#include "tests/nn/train_fixtures.h"

using namespace sl;
using namespace sl::test;

TEST_CASE("cifar10: a good file reads back its labels and pixels") {
  TempDir tmp("cifar_good");
  write_bytes(tmp / "b.bin", synthetic_records(3, 7));
  const Cifar10 d = cifar10_read_file(tmp / "b.bin");
  REQUIRE(d.size() == 3);
  CHECK(d.labels == std::vector<uint8_t>{7, 8, 9});
  CHECK(d.images.size() == 3u * 3072u);
  CHECK(d.images[0] == 7);                                 // record 0, red (0, 0)
  CHECK(d.images[3072 + 1024] == (8 + 1024) % 256);        // record 1, green (0, 0)
  CHECK(cifar10_read_file(tmp / "b.bin", 2).size() == 2);  // limit
}

TEST_CASE("cifar10: a size that is not a multiple of 3073 bytes is refused") {
  TempDir tmp("cifar_size");
  std::vector<uint8_t> b = synthetic_records(2);
  b.resize(b.size() + 5);
  write_bytes(tmp / "short.bin", b);
  const std::string msg = error_of([&] { cifar10_read_file(tmp / "short.bin"); });
  CHECK(msg.find("short.bin") != std::string::npos);
  CHECK(msg.find("6151 bytes") != std::string::npos);
  CHECK(msg.find("3073") != std::string::npos);
  write_bytes(tmp / "empty.bin", {});
  CHECK(error_of([&] { cifar10_read_file(tmp / "empty.bin"); }).find("0 bytes") !=
        std::string::npos);
}

TEST_CASE("cifar10: a label outside 0-9 names the file and its byte offset") {
  TempDir tmp("cifar_label");
  std::vector<uint8_t> b = synthetic_records(3);
  b[2 * kCifarRecord] = 12;  // record 2's label byte
  write_bytes(tmp / "bad.bin", b);
  const std::string msg = error_of([&] { cifar10_read_file(tmp / "bad.bin"); });
  CHECK(msg.find("bad.bin") != std::string::npos);
  CHECK(msg.find("label 12") != std::string::npos);
  CHECK(msg.find("byte offset 6146") != std::string::npos);
}

TEST_CASE("cifar10: a missing batch file or folder says where it looked and how to fix it") {
  TempDir tmp("cifar_missing");
  write_cifar_dir(tmp.path.string(), 4, 4);
  std::filesystem::remove(tmp / "data_batch_3.bin");
  const std::string msg = error_of([&] { cifar10_load(tmp.path.string(), true, 2); });
  CHECK(msg.find("data_batch_3.bin") != std::string::npos);
  CHECK(msg.find("hint: run scripts/get-cifar10") != std::string::npos);
  CHECK(cifar10_load(tmp.path.string(), false).size() == 4);  // the test split is whole

  const std::string nowhere = (tmp.path / "nowhere").string();
  const std::string msg2 = error_of([&] { cifar10_find_dir(nowhere); });
  CHECK(msg2.find(nowhere) != std::string::npos);
  CHECK(msg2.find("hint: run scripts/get-cifar10") != std::string::npos);
  CHECK(cifar10_find_dir(tmp.path.string()) == tmp.path.string());
}

TEST_CASE("cifar10: --data, then $SHUFFLELAB_DATA, and a parent folder of cifar-10-batches-bin") {
  TempDir tmp("cifar_find");
  const std::string inner = (tmp.path / "cifar-10-batches-bin").string();
  write_cifar_dir(inner, 2, 2);
  CHECK(cifar10_find_dir(tmp.path.string()) == inner);
  setenv("SHUFFLELAB_DATA", inner.c_str(), 1);
  CHECK(cifar10_find_dir("") == inner);
  unsetenv("SHUFFLELAB_DATA");
}

TEST_CASE("cifar10: the training split concatenates the five files in order, up to the limit") {
  TempDir tmp("cifar_load");
  write_cifar_dir(tmp.path.string(), 3, 2);
  const Cifar10 all = cifar10_load(tmp.path.string(), true);
  REQUIRE(all.size() == 15);
  for (int64_t i = 0; i < 15; ++i) CHECK(all.labels[(size_t)i] == i % 10);
  CHECK(cifar10_load(tmp.path.string(), true, 5).size() == 5);
  CHECK(cifar10_load(tmp.path.string(), true, 5).labels[4] == 4);
}

TEST_CASE("augmentation: identity, flip and crop move pixels where the padding says") {
  std::vector<uint8_t> img((size_t)kCifarPixels);
  for (int64_t p = 0; p < kCifarPixels; ++p) img[(size_t)p] = (uint8_t)(p % 251);
  std::vector<float> out((size_t)kCifarPixels);
  auto norm = [](int c, float v) { return (v / 255.f - kCifarMean[c]) / kCifarStd[c]; };
  // identity: every pixel normalised in place
  cifar10_augment_normalize(out.data(), img.data(), {});
  for (int64_t p : {0L, 33L, 1024L + 5, 3071L})
    CHECK(out[(size_t)p] == doctest::Approx(norm((int)(p / 1024), img[(size_t)p])).epsilon(1e-5));
  // flip: column x reads column 31 - x
  cifar10_augment_normalize(out.data(), img.data(), {.dy = 4, .dx = 4, .flip = true});
  CHECK(out[2 * 32 + 0] == doctest::Approx(norm(0, img[2 * 32 + 31])).epsilon(1e-5));
  // crop at (0, 0): the first 4 rows and columns are the zero padding, then row 4 col 4 is (0, 0)
  cifar10_augment_normalize(out.data(), img.data(), {.dy = 0, .dx = 0, .flip = false});
  CHECK(out[0] == doctest::Approx(norm(0, 0.f)).epsilon(1e-5));
  CHECK(out[3 * 32 + 31] == doctest::Approx(norm(0, 0.f)).epsilon(1e-5));  // row 3: padding
  CHECK(out[4 * 32 + 4] == doctest::Approx(norm(0, img[0])).epsilon(1e-5));
  CHECK(out[2048 + 31 * 32 + 31] ==
        doctest::Approx(norm(2, img[2048 + 27 * 32 + 27])).epsilon(1e-5));
  // random draws stay in range
  Generator g(3);
  for (int i = 0; i < 200; ++i) {
    const CropFlip a = random_crop_flip(g);
    CHECK((a.dy >= 0 && a.dy <= 8 && a.dx >= 0 && a.dx <= 8));
  }
}

namespace {
// The labels of one epoch in batch order, checking every batch's shape; xs gets the images.
std::vector<int> epoch_labels(BatchLoader& L, int64_t epoch, std::vector<Tensor>* xs = nullptr) {
  std::vector<int> ys;
  L.start_epoch(epoch);
  Batch b;
  while (L.next(b)) {
    CHECK(b.x.dim() == 4);
    CHECK(b.x.size(1) == 3);
    CHECK(b.x.size(2) == 32);
    CHECK(b.x.size(3) == 32);
    CHECK(b.x.size(0) == (int64_t)b.y.size());
    ys.insert(ys.end(), b.y.begin(), b.y.end());
    if (xs) xs->push_back(b.x);
  }
  return ys;
}
}  // namespace

TEST_CASE("batch loader: every image once per epoch, labels kept, deterministic in (seed, epoch)") {
  Cifar10 d;
  d.images = std::vector<uint8_t>((size_t)(23 * kCifarPixels));
  for (int64_t i = 0; i < 23; ++i) {
    d.labels.push_back((uint8_t)(i % 10));
    for (int64_t p = 0; p < kCifarPixels; ++p)
      d.images[(size_t)(i * kCifarPixels + p)] = (uint8_t)(i * 11);
  }
  BatchLoader a(d, {.batch = 5, .shuffle = true, .augment = true, .seed = 9});
  BatchLoader b(d, {.batch = 5, .shuffle = true, .augment = true, .seed = 9});
  CHECK(a.batches_per_epoch() == 5);  // 5 + 5 + 5 + 5 + 3
  std::vector<Tensor> xa, xb;
  std::vector<int> ya = epoch_labels(a, 0, &xa), yb = epoch_labels(b, 0, &xb);
  CHECK(ya == yb);
  for (size_t i = 0; i < xa.size(); ++i) CHECK(xa[i].to_vector() == xb[i].to_vector());
  std::vector<int> sorted = ya, want;
  for (int64_t i = 0; i < 23; ++i) want.push_back((int)(i % 10));
  std::sort(sorted.begin(), sorted.end());
  std::sort(want.begin(), want.end());
  CHECK(sorted == want);
  CHECK(epoch_labels(a, 1) != ya);  // another epoch, another order (23! orders: no tie)

  // Starting mid-epoch gives the very batch the full walk gave at that position.
  a.start_epoch(0, 3);
  Batch third;
  REQUIRE(a.next(third));
  CHECK(third.x.to_vector() == xa[3].to_vector());
  REQUIRE(a.next(third));
  CHECK(third.x.size(0) == 3);
  CHECK_FALSE(a.next(third));

  // Without shuffle and augmentation: the data in order, only normalised.
  BatchLoader plain(d, {.batch = 10, .shuffle = false, .augment = false, .seed = 0});
  std::vector<Tensor> xp;
  std::vector<int> yp = epoch_labels(plain, 0, &xp);
  for (int64_t i = 0; i < 23; ++i) CHECK(yp[(size_t)i] == i % 10);
  CHECK(xp[1].at({2, 1, 7, 9}) ==
        doctest::Approx((12 * 11 / 255.f - kCifarMean[1]) / kCifarStd[1]).epsilon(1e-5));
}
