// lessons/12_training/main.cpp - the lesson's program for training on CIFAR-10: SGD with
// Nesterov momentum and weight decay checked step by step against the rule written out by
// hand, the one-cycle schedule against its formula and the shipped model's metrics.jsonl,
// the crop-and-flip augmentation pixel by pixel, and exact resume: a run interrupted
// mid-epoch and resumed ends with the same bits as the uninterrupted run. Exit 1 if a claim
// fails. Not a test suite: tests/nn/test_train_optim.cpp and test_train_loop.cpp are.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lessons/check.h"
#include "nn/cifar10.h"
#include "nn/json.h"
#include "nn/models/models.h"
#include "nn/optim.h"
#include "nn/safetensors.h"
#include "nn/train.h"
#include "tests/nn/train_fixtures.h"

using namespace sl;
using lesson::claim;

namespace {

// The shipped model's folder: its README and metrics.jsonl hold the numbers the lesson quotes.
const std::string kShipped = std::string(SL_SOURCE_DIR) + "/assets/models/v2-0.5-cifar10";
constexpr int64_t kShippedImages = 1000;

// 1. One parameter w [2, 2] (decayed) and one 1-D parameter b [2] (not decayed), fixed
// gradients, three steps of sl::Sgd beside the rule of nn/optim.h computed here in double.
void sgd_by_hand() {
  std::printf("1. SGD with Nesterov momentum 0.9 and weight decay, three steps by hand\n");
  const float lr = 0.1f, mu = 0.9f, wd = 0.05f;
  const std::vector<float> w0 = {1.f, -2.f, 0.5f, 3.f}, gw = {0.5f, 0.25f, -1.f, 0.f};
  const std::vector<float> b0 = {1.f, -1.f}, gb = {0.5f, 0.5f};
  Tensor w = Tensor::from_data(w0, {2, 2}).requires_grad_();
  Tensor b = Tensor::from_data(b0, {2}).requires_grad_();
  Sgd opt({{"w", w}, {"b", b}}, {.lr = lr, .momentum = mu, .nesterov = true, .weight_decay = wd});
  // The rule, in double: g += wd*p (2-D only); buf = mu*buf + g; p -= lr*(g + mu*buf).
  std::vector<double> pw(w0.begin(), w0.end()), pb(b0.begin(), b0.end());
  std::vector<double> bw(4, 0.0), bb(2, 0.0);
  auto step_by_hand = [&](std::vector<double>& p, std::vector<double>& buf,
                          const std::vector<float>& g, bool decay) {
    for (size_t i = 0; i < p.size(); ++i) {
      const double d = g[i] + (decay ? wd * p[i] : 0.0);
      buf[i] = mu * buf[i] + d;
      p[i] -= lr * (d + mu * buf[i]);
    }
  };
  double worst = 0;
  for (int s = 1; s <= 3; ++s) {
    w.set_grad(Tensor::from_data(gw, {2, 2}));
    b.set_grad(Tensor::from_data(gb, {2}));
    opt.step();
    step_by_hand(pw, bw, gw, true);
    step_by_hand(pb, bb, gb, false);
    const std::vector<float> got_w = w.to_vector(), got_b = b.to_vector();
    for (size_t i = 0; i < 4; ++i) worst = std::max(worst, std::fabs(got_w[i] - pw[i]));
    for (size_t i = 0; i < 2; ++i) worst = std::max(worst, std::fabs(got_b[i] - pb[i]));
    std::printf("   step %d: w = [%9.6f %9.6f %9.6f %9.6f]  b = [%9.6f %9.6f]\n", s, got_w[0],
                got_w[1], got_w[2], got_w[3], got_b[0], got_b[1]);
  }
  claim(worst < 1e-6,
        str_cat("sl::Sgd follows the rule to float rounding (largest difference ", worst, ")"));
  claim(opt.decays(0) && !opt.decays(1),
        "weight decay applies to the 2-D weight, not to the 1-D parameter (BatchNorm, biases)");
  // w[3] has gradient 0: only weight decay moves it, towards 0.
  claim(w.to_vector()[3] < 3.f && w.to_vector()[3] > 0.f,
        str_cat("a weight with zero gradient still shrinks towards 0 (3 -> ", w.to_vector()[3],
                "): that is weight decay"));
  const StateDict sd = opt.state_dict();
  bool bufs = sd.size() == 2 && sd[0].name == "momentum.w";
  for (size_t i = 0; bufs && i < 4; ++i)
    bufs = std::fabs(sd[0].tensor.to_vector()[i] - bw[i]) < 1e-6;
  claim(bufs, "the momentum buffers are the optimiser's whole state (\"momentum.<name>\")");
}

// 2. One-cycle over the shipped run: 15 epochs of ceil(50000 / 128) = 391 steps.
void one_cycle() {
  std::printf("\n2. the one-cycle schedule of the shipped run (15 epochs x 391 steps, peak 0.1)\n");
  const int64_t steps = (50000 + 127) / 128, total = 15 * steps;
  const float peak = 0.1f;
  // PyTorch's OneCycleLR: rise over steps 0 .. 0.3*total - 1, fall until total - 1, both
  // along half a cosine; starts at peak/25 and ends at peak/25/1e4.
  auto by_formula = [&](int64_t t) {
    const double lo = peak / 25.0, end = lo / 1e4, up = 0.3 * (double)total - 1.0;
    const double down = (double)total - 1.0;
    if ((double)t <= up) return lo + (peak - lo) * 0.5 * (1 - std::cos(M_PI * t / up));
    return end + (peak - end) * 0.5 * (1 + std::cos(M_PI * (t - up) / (down - up)));
  };
  double worst = 0;
  for (int64_t t = 0; t < total; ++t)
    worst = std::max(worst, std::fabs(lr_one_cycle(t, total, peak) - by_formula(t)) / peak);
  for (int64_t t : {int64_t{0}, int64_t{391}, int64_t{1758}, int64_t{3000}, total - 1})
    std::printf("   step %5lld: lr = %.6g\n", (long long)t, lr_one_cycle(t, total, peak));
  claim(worst < 1e-5, "lr_one_cycle equals the formula at all 5,865 steps");
  claim(std::fabs(lr_one_cycle(0, total, peak) - 0.004f) < 1e-9f &&
            std::fabs(lr_one_cycle(total - 1, total, peak) - 4e-7f) < 1e-12f,
        "it starts at 0.1 / 25 = 0.004 and ends at 0.004 / 1e4 = 4e-7");

  std::ifstream f(kShipped + "/metrics.jsonl");
  if (!f) {
    std::printf("   (no %s/metrics.jsonl in this checkout: its check is skipped)\n",
                kShipped.c_str());
    return;
  }
  std::string line;
  int64_t epochs = 0;
  bool same = true;
  double last_acc = 0;
  while (std::getline(f, line)) {
    const JsonValue v = json_parse(line);
    const int64_t e = v.find("epoch")->as_index("epoch");
    const double lr = std::strtod(v.find("lr")->text.c_str(), nullptr);
    const double want = lr_one_cycle(e * steps - 1, total, peak);  // the epoch's last step
    same = same && std::fabs(lr - want) <= 1e-5 * want + 1e-9;
    last_acc = std::strtod(v.find("test_acc")->text.c_str(), nullptr);
    epochs = e;
  }
  std::printf("   shipped run: %lld epochs, final test accuracy %.2f%%\n", (long long)epochs,
              100 * last_acc);
  claim(epochs == 15 && same,
        "the lr column of its metrics.jsonl is lr_one_cycle at each epoch's last step");
}

// 3. Augmentation on one synthetic image: identity, flip, and a crop into the padding.
void augmentation() {
  std::printf("\n3. augmentation: random crop (4-pixel zero padding) and horizontal flip\n");
  const std::vector<uint8_t> rec = test::synthetic_records(1);
  const uint8_t* img = rec.data() + 1;  // skip the label byte
  std::vector<float> id(kCifarPixels), fl(kCifarPixels), cr(kCifarPixels);
  cifar10_augment_normalize(id.data(), img, {.dy = 4, .dx = 4, .flip = false});
  cifar10_augment_normalize(fl.data(), img, {.dy = 4, .dx = 4, .flip = true});
  cifar10_augment_normalize(cr.data(), img, {.dy = 0, .dx = 8, .flip = false});
  bool ident = true, flip = true, crop = true;
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 32; ++y)
      for (int64_t x = 0; x < 32; ++x) {
        const int64_t i = (c * 32 + y) * 32 + x;
        const float norm = ((float)img[i] / 255.f - kCifarMean[c]) / kCifarStd[c];
        ident = ident && std::fabs(id[i] - norm) < 1e-6f;
        flip = flip && fl[i] == id[(c * 32 + y) * 32 + (31 - x)];
        // dy = 0: rows 0-3 come from the padding; dx = 8: column x reads x + 4.
        const float want =
            y < 4 || x >= 28 ? -kCifarMean[c] / kCifarStd[c] : id[(c * 32 + y - 4) * 32 + x + 4];
        crop = crop && std::fabs(cr[i] - want) < 1e-6f;
      }
  claim(ident, "crop (4, 4) without flip is the image itself, normalised: (p/255 - mean) / std");
  claim(flip, "flip mirrors every row: out[c, y, x] = in[c, y, 31 - x]");
  claim(crop, "crop (0, 8) shifts the image down 4 and left 4; the padding reads as pixel 0");
  Generator g1(mix_seed(7, 3, 11)), g2(mix_seed(7, 3, 11));
  bool repeat = true;
  for (int i = 0; i < 100; ++i) {
    const CropFlip a = random_crop_flip(g1), b = random_crop_flip(g2);
    repeat = repeat && a.dy == b.dy && a.dx == b.dx && a.flip == b.flip && a.dy <= 8 && a.dx <= 8;
  }
  claim(repeat, "the crops of (seed, epoch, batch) are the same every time they are drawn");
}

std::string without_timing(const std::string& path) {
  std::ifstream in(path);
  std::string out, line;
  while (std::getline(in, line)) out += line.substr(0, line.find(", \"img_per_s\"")) + "\n";
  return out;
}

// 4. Exact resume on the tests' synthetic set (tests/nn/train_fixtures.h): 40 images in
// batches of 8, 2 epochs of 5 steps (under the sanitizers 10 images, 2 steps an epoch).
void exact_resume() {
  const int64_t steps = test::kTinySteps, stop_at = steps + 1;  // step 1 of epoch 2
  std::printf("\n4. exact resume: 2 epochs of %lld steps, whole vs stopped after step %lld and "
              "resumed\n",
              (long long)steps, (long long)stop_at);
  test::TempDir tmp("lesson12");
  const std::string data = tmp / "data";
  test::write_cifar_dir(data, test::kTinyPerFile, test::kTinyTest, true);
  TrainConfig cfg;
  cfg.model = "v2-0.5";
  cfg.data_dir = data;
  cfg.epochs = 2;
  cfg.batch = test::kTinyBatch;
  cfg.lr = 0.05f;
  cfg.seed = 5;
  cfg.eval_batch = test::kTinyTest;
  cfg.out_dir = tmp / "whole";
  const TrainResult whole = train(cfg);

  cfg.out_dir = tmp / "parts";
  std::atomic<bool> stop{false};
  TrainHooks hooks;
  hooks.on_step = [&](const StepProgress& p) { stop = p.global_step == stop_at; };
  hooks.stop = &stop;
  const TrainResult first = train(cfg, hooks);
  std::printf("   first session: stopped at epoch %lld, step %lld; the folder holds:",
              (long long)first.epoch + 1, (long long)first.step);
  int files = 0, tmp_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(cfg.out_dir)) {
    std::printf(" %s", e.path().filename().string().c_str());
    ++files;
    tmp_files += e.path().extension() == ".tmp";
  }
  std::printf("\n");
  claim(first.status == TrainStatus::interrupted && first.epoch == 1 && first.step == 1 &&
            files == 3 && tmp_files == 0,
        "stopped mid-epoch, it saved the three files of a checkpoint, no *.tmp left behind");
  cfg.resume = true;
  stop = false;
  hooks.on_step = nullptr;
  const TrainResult second = train(cfg, hooks);
  const StateDict a = safetensors_read(checkpoint_state_path(tmp / "whole")).tensors;
  const StateDict b = safetensors_read(checkpoint_state_path(cfg.out_dir)).tensors;
  bool bits = a.size() == b.size() && !a.empty();
  for (size_t i = 0; bits && i < a.size(); ++i)
    bits = a[i].name == b[i].name && a[i].tensor.to_vector() == b[i].tensor.to_vector();
  std::printf("   last epoch's training loss: whole run %.9f, resumed run %.9f\n",
              whole.history.back().train_loss, second.history.back().train_loss);
  claim(bits, str_cat("all ", a.size(),
                      " tensors of the final checkpoint (weights and momentum) are equal bit "
                      "for bit"));
  claim(without_timing(tmp / "whole/metrics.jsonl") ==
            without_timing(cfg.out_dir + "/metrics.jsonl"),
        "metrics.jsonl is the same too, except the two timing columns");
}

// 5. The shipped model on the real test images, when the data is on this machine.
void shipped_model() {
  std::printf("\n5. the shipped model on the first %lld CIFAR-10 test images\n",
              (long long)kShippedImages);
#ifdef SL_SANITIZED  // minutes under ASan/UBSan; tests/nn/test_train_asset.cpp covers release
  std::printf("   skipped under the sanitizers\n");
  return;
#endif
  std::string dir;
  try {
    dir = cifar10_find_dir();
  } catch (const Error&) {
    std::printf("   no CIFAR-10 here (scripts/get-cifar10 fetches it): skipped\n");
    return;
  }
  if (!std::filesystem::exists(kShipped + "/model.safetensors")) {
    std::printf("   no %s/model.safetensors in this checkout: skipped\n", kShipped.c_str());
    return;
  }
  auto model = make_model("v2-0.5", "cifar", kCifarClasses, 0);
  load_model_weights(*model, kShipped + "/model.safetensors");
  const double acc = evaluate(*model, cifar10_load(dir, false, kShippedImages), 500);
  std::printf("   test accuracy %s (all 10,000: 82.68%%, the README)\n", accuracy_str(acc).c_str());
  claim(acc > 0.75, "the trained weights classify far above chance (10%)");
}

}  // namespace

int main() {  // NOLINT(bugprone-exception-escape)
  sgd_by_hand();
  one_cycle();
  augmentation();
  exact_resume();
  shipped_model();
  return lesson::failures() == 0 ? 0 : 1;
}
