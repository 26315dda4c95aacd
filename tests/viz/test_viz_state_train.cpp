// tests/viz/test_viz_state_train.cpp - the Train panel's model without a window, on the
// tiny synthetic CIFAR-10 of tests/nn/train_fixtures.h: the phases of a run (start, pause,
// resume, stop mid-epoch -> a checkpoint that loads and resumes; a bad data folder -> the
// error phase with a message), "save now", the prediction grid and confusion matrix against
// nn/train's evaluate() and the `eval` command on the same weights, the feature maps against
// the model's own forward pass, and metrics.jsonl read back.
#include <algorithm>
#include <filesystem>

#include "core/tensor.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "tests/apps/run_cli.h"
#include "tests/helpers.h"
#include "tests/nn/train_fixtures.h"
#include "viz/train/train_state.h"

using namespace sl;
using namespace sl::viz;
using sl::test::TempDir;

namespace {

TrainConfig tiny_config(const TempDir& tmp, int64_t epochs) {
  TrainConfig c;
  c.model = "v2-0.5";
  c.data_dir = tmp / "data";
  c.out_dir = tmp / "run";
  c.epochs = epochs;
  c.batch = sl::test::kTinyBatch;
  c.eval_batch = 8;
  c.lr = 0.05f;
  return c;
}

bool phase_is(const TrainSession& s, TrainPhase p, double seconds = 120) {
  return s.wait_for([p](const SessionSnapshot& x) { return x.phase == p; }, seconds);
}

bool has_note(const SessionSnapshot& s, const std::string& part) {
  return std::any_of(s.notes.begin(), s.notes.end(),
                     [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("train state: start, pause, resume, stop mid-epoch leaves a checkpoint that resumes") {
  TempDir tmp("viz_train_phases");
  sl::test::write_cifar_dir(tmp / "data", sl::test::kTinyPerFile, sl::test::kTinyTest, true);
  const TrainConfig cfg = tiny_config(tmp, 3);
  const int64_t steps = sl::test::kTinySteps;
  TrainSession s;
  CHECK(s.phase() == TrainPhase::idle);
  s.pause_after_step(2);
  REQUIRE(s.start(cfg, 1));
  CHECK_FALSE(s.start(cfg, 1));  // one run at a time
  REQUIRE(phase_is(s, TrainPhase::paused));
  SessionSnapshot a = s.snapshot();
  CHECK(a.curves.steps.size() == 2);
  CHECK(a.curves.last.global_step == 2);
  // Paused means blocked: no step is taken while it waits.
  CHECK_FALSE(s.wait_for([](const SessionSnapshot& x) { return x.curves.steps.size() > 2; }, 0.3));

  s.resume();
  CHECK(s.wait_for([&](const SessionSnapshot& x) { return x.curves.steps.size() > 2; }, 60));
  s.pause();
  REQUIRE(phase_is(s, TrainPhase::paused));
  const size_t paused_at = s.snapshot().curves.steps.size();
  s.stop();
  REQUIRE(phase_is(s, TrainPhase::finished));
  const SessionSnapshot b = s.snapshot();
  CHECK(b.curves.steps.size() == paused_at);  // stop acted before another step
  CHECK(has_note(b, "stopped at epoch"));

  // The checkpoint is where the run stopped, and its weights load into a model.
  const CheckpointInfo info = read_checkpoint_info(cfg.out_dir);
  CHECK(info.state.epoch * steps + info.state.step == (int64_t)paused_at);
  auto model = make_model("v2-0.5", "cifar");
  CHECK_NOTHROW(load_weights(*model, checkpoint_weights_path(cfg.out_dir)));
  CHECK_NOTHROW(load_model_weights(*model, checkpoint_state_path(cfg.out_dir)));

  // The panel opens it as a run that can be continued, and the continued run finishes.
  const OpenedRun opened = open_run(cfg.out_dir, "v1-g3-1.0");
  CHECK(opened.error.empty());
  CHECK(opened.resumable);
  CHECK(opened.model == "v2-0.5");  // from the checkpoint, not the settings
  CHECK(opened.epochs.size() == (size_t)info.state.epoch);
  TrainConfig more = cfg;
  more.resume = true;
  REQUIRE(s.start(more, 1));
  REQUIRE(phase_is(s, TrainPhase::finished));
  const SessionSnapshot c = s.snapshot();
  CHECK(c.error.empty());
  REQUIRE_FALSE(c.curves.epochs.empty());
  CHECK(c.curves.epochs.back().epoch == 3);
  CHECK(c.curves.steps.size() == (size_t)(3 * steps) - paused_at);
  CHECK(has_note(c, "finished: test accuracy"));
  // Each epoch's weights were inspected; the last inspection is epoch 3's.
  CHECK(c.inspection.error.empty());
  CHECK(c.inspection.epoch == 3);
  CHECK(c.inspection.n == sl::test::kTinyTest);
  CHECK(std::abs(c.inspection.acc - c.curves.epochs.back().test_acc) < 1e-9);
  // metrics.jsonl read back equals what train() reported.
  const std::vector<EpochMetrics> m = read_metrics(checkpoint_metrics_path(cfg.out_dir));
  REQUIRE(m.size() == 3);
  CHECK(m[2].epoch == 3);
  CHECK(std::abs(m[2].test_acc - c.curves.epochs.back().test_acc) < 1e-6);
}

TEST_CASE("train state: save now writes a checkpoint mid-epoch and the run goes on") {
  TempDir tmp("viz_train_save");
  sl::test::write_cifar_dir(tmp / "data", sl::test::kTinyPerFile, sl::test::kTinyTest, true);
  const TrainConfig cfg = tiny_config(tmp, 1);
  TrainSession s;
  s.pause_after_step(1);
  REQUIRE(s.start(cfg, 1, false));
  REQUIRE(phase_is(s, TrainPhase::paused));
  s.save_now();           // paused: refused (the save happens between steps, while running)
  s.pause_after_step(3);  // set while paused: the run pauses again at step 3
  s.resume();
  s.save_now();
  REQUIRE(phase_is(s, TrainPhase::paused));
  const SessionSnapshot a = s.snapshot();
  CHECK(has_note(a, "checkpoint saved in"));
  const CheckpointInfo info = read_checkpoint_info(cfg.out_dir);
  CHECK(info.state.epoch == 0);
  CHECK(info.state.step >= 1);
  CHECK(info.state.step <= 3);
  s.stop();
  REQUIRE(phase_is(s, TrainPhase::finished));
}

TEST_CASE("train state: a bad data folder ends in the error phase with a message") {
  TempDir tmp("viz_train_error");
  TrainConfig cfg = tiny_config(tmp, 1);
  cfg.data_dir = tmp / "no-such-folder";
  TrainSession s;
  REQUIRE(s.start(cfg, 1));
  REQUIRE(phase_is(s, TrainPhase::error));
  const SessionSnapshot a = s.snapshot();
  CHECK(sl::test::has(a.error, "no-such-folder"));
  // Never stuck: a new run can start after an error.
  sl::test::write_cifar_dir(tmp / "data", sl::test::kTinyPerFile, sl::test::kTinyTest, true);
  cfg.data_dir = tmp / "data";
  cfg.limit_train = 16;
  REQUIRE(s.start(cfg, 1, false));
  REQUIRE(phase_is(s, TrainPhase::finished));
  // Inspection without data says so instead of throwing; so does a missing weights file.
  const Inspection none =
      inspect_weights("v2-0.5", checkpoint_weights_path(cfg.out_dir), tmp / "no-such-folder", -1);
  CHECK(sl::test::has(none.error, "no-such-folder"));
  const Inspection bad = inspect_weights("v2-0.5", tmp / "missing.safetensors", cfg.data_dir, -1);
  CHECK(sl::test::has(bad.error, "missing.safetensors"));
  CHECK_FALSE(open_run(tmp / "nothing-here", "v2-0.5").error.empty());
}

TEST_CASE("train state: the panel trains on the CPU by default; CUDA runs or says why") {
  TrainPanelState p;
  CHECK(p.cfg.device == Device::cpu);
  const std::string why = device_unavailable_reason(Device::cuda);
  if (!why.empty()) {
    TempDir tmp("viz_train_cuda");
    sl::test::write_cifar_dir(tmp / "data", sl::test::kTinyPerFile, sl::test::kTinyTest, true);
    p.cfg = tiny_config(tmp, 1);
    p.cfg.device = Device::cuda;  // the panel keeps CUDA disabled; forced here
    p.data_field = tmp / "data";
    p.threads = 1;
    REQUIRE(p.start());
    REQUIRE(phase_is(p.session, TrainPhase::error));
    CHECK(sl::test::has(p.session.snapshot().error, why));
    CHECK_FALSE(std::filesystem::exists(checkpoint_state_path(p.cfg.out_dir)));
    p.cfg.device = Device::cpu;  // the same settings train on the CPU as before
    p.cfg.limit_train = 16;
    REQUIRE(p.start());
    REQUIRE(phase_is(p.session, TrainPhase::finished));
    CHECK(std::filesystem::exists(checkpoint_state_path(p.cfg.out_dir)));
  } else {
    MESSAGE("CUDA can run here: the refusal is not tested (a GPU machine runs the CUDA tests)");
  }
}

TEST_CASE("train state: the prediction grid and confusion matrix equal evaluate() and `eval`") {
  TempDir tmp("viz_train_eval");
  sl::test::write_cifar_dir(tmp / "data", sl::test::kTinyPerFile, sl::test::kTinyTest, true);
  const TrainConfig cfg = tiny_config(tmp, 2);
  TrainSession s;
  REQUIRE(s.start(cfg, 1, false));
  REQUIRE(phase_is(s, TrainPhase::finished));
  const std::string weights = checkpoint_weights_path(cfg.out_dir);

  const Inspection in = inspect_weights("v2-0.5", weights, cfg.data_dir, -1);
  REQUIRE(in.error.empty());
  auto model = make_model("v2-0.5", "cifar");
  load_weights(*model, weights);
  const Cifar10 test = cifar10_load(cfg.data_dir, false);
  std::vector<float> logits;
  const double acc = evaluate(*model, test, 5, &logits);
  REQUIRE(in.n == test.size());
  int64_t diag = 0, total = 0;
  for (int64_t i = 0; i < in.n; ++i) {
    const float* r = logits.data() + i * kCifarClasses;
    const int pred = (int)(std::max_element(r, r + kCifarClasses) - r);  // first maximum
    CHECK(in.preds[(size_t)i] == pred);
    CHECK(in.labels[(size_t)i] == test.labels[(size_t)i]);
  }
  for (int t = 0; t < kCifarClasses; ++t)
    for (int p = 0; p < kCifarClasses; ++p) {
      int64_t count = 0;
      for (int64_t i = 0; i < in.n; ++i)
        count += in.labels[(size_t)i] == t && in.preds[(size_t)i] == p;
      CHECK(in.confusion[(size_t)t][(size_t)p] == count);
      total += count;
      diag += t == p ? count : 0;
    }
  CHECK(total == in.n);
  CHECK(in.acc == (double)diag / (double)in.n);
  CHECK(in.acc == acc);
  // The grid's images are the test file's first images, byte for byte.
  const int64_t k = std::min<int64_t>(test.size(), kGridImages);
  REQUIRE(in.images.size() == (size_t)(k * kCifarPixels));
  CHECK(std::equal(in.images.begin(), in.images.end(), test.images.begin()));
  // The checkpoint file gives the same weights, so the same predictions.
  const Inspection st =
      inspect_weights("v2-0.5", checkpoint_state_path(cfg.out_dir), cfg.data_dir, -1);
  CHECK(st.preds == in.preds);

  // The command line's eval on the same weights and data reports the same accuracy.
  const sl::test::Run r = sl::test::run_cli(str_cat("eval --model v2-0.5 --weights ", weights,
                                                    " --data ", cfg.data_dir, " --json"),
                                            false);
  REQUIRE(r.code == 0);
  const size_t at = r.out.find("\"test_acc\"");
  CAPTURE(r.out);
  REQUIRE(at != std::string::npos);
  const double eval_acc = std::strtod(r.out.c_str() + r.out.find(':', at) + 1, nullptr);
  CHECK(std::abs(eval_acc - in.acc) < 1e-9);
  // eval also takes the run folder or its checkpoint, which name their own model.
  for (const std::string& w : {cfg.out_dir, checkpoint_state_path(cfg.out_dir)}) {
    const sl::test::Run e =
        sl::test::run_cli(str_cat("eval --weights ", w, " --data ", cfg.data_dir));
    CAPTURE(e.out);
    CHECK(e.code == 0);
    char want[64];
    std::snprintf(want, sizeof want, "v2-0.5: test accuracy %.2f%%", 100 * in.acc);
    CHECK(sl::test::has(e.out, want));
  }
  const sl::test::Run wrong = sl::test::run_cli(
      str_cat("eval --model v1-g3-1.0 --weights ", cfg.out_dir, " --data ", cfg.data_dir));
  CHECK(wrong.code == 2);
  CHECK(sl::test::has(wrong.out, "leave --model out"));
  const sl::test::Run plain = sl::test::run_cli(str_cat("eval --weights ", weights));
  CHECK(plain.code == 2);
  CHECK(sl::test::has(plain.out, "--model is required for a plain weights file"));
}

TEST_CASE("train state: feature maps are the model's forward pass, before and after each shuffle") {
  auto model = make_model("v2-0.5", "cifar", kCifarClasses, 7);
  const std::vector<uint8_t> image = sl::test::synthetic_records(1);
  const uint8_t* pixels = image.data() + 1;  // after the label byte
  const std::vector<FeatureMap> maps = feature_maps(*model, pixels);
  // stem + 16 units x (before, after)
  REQUIRE(maps.size() == 1 + 2 * 16);
  CHECK(maps[0].name == "conv1 (stem)");
  CHECK(maps[0].C == 24);
  CHECK(maps[0].H == 32);
  for (size_t i = 1; i < maps.size(); i += 2) {
    const FeatureMap& before = maps[i];
    const FeatureMap& after = maps[i + 1];
    CAPTURE(before.name);
    CHECK(before.groups == 2);
    // after = channel_shuffle(before, 2), the op itself
    const Tensor b = Tensor::from_data(before.values, {1, before.C, before.H, before.W});
    CHECK(channel_shuffle(b, 2).to_vector() == after.values);
    // The colours follow the channels: after's channel j is before's (j%2)*(C/2) + j/2.
    for (int64_t j = 0; j < after.C; ++j) {
      const int64_t src = (j % 2) * (after.C / 2) + j / 2;
      CHECK(after.group[(size_t)j] == before.group[(size_t)src]);
      CHECK(after.inner[(size_t)j] == before.inner[(size_t)src]);
    }
    // A stride-1 unit's left half passes the split untouched: before[:C/2] = the unit's input.
    const FeatureMap& input = maps[i - 1];
    if (input.C == before.C && input.H == before.H) {
      const size_t half = (size_t)(before.C / 2 * before.H * before.W);
      CHECK(std::equal(before.values.begin(), before.values.begin() + (long)half,
                       input.values.begin()));
    }
  }
  // The last map is stage 4's output: the same as running the model's own stages.
  NoGradGuard ng;
  model->eval();
  std::vector<float> x((size_t)kCifarPixels);
  cifar10_augment_normalize(x.data(), pixels, CropFlip{});
  Tensor h = Tensor::from_data(x, {1, 3, 32, 32});
  for (auto& [name, m] : model->named_children())
    if (name == "conv1" || name.rfind("stage", 0) == 0) h = (*m)(h);
  CHECK(maps.back().name == "stage4.3 after shuffle");
  CHECK(h.to_vector() == maps.back().values);
}

TEST_CASE("train state: metrics lines read back; a bad line names the file and line") {
  TempDir tmp("viz_train_metrics");
  EpochMetrics e{.epoch = 1,
                 .train_loss = 2.1,
                 .train_acc = 0.2,
                 .test_acc = 0.25,
                 .lr = 0.05,
                 .img_per_s = 300,
                 .elapsed_s = 12};
  sl::test::write_bytes(tmp / "metrics.jsonl", {});
  {
    std::ofstream f(tmp / "metrics.jsonl");
    f << metrics_json(e) << "\n";
    e.epoch = 2;
    f << metrics_json(e) << "\n";
  }
  const std::vector<EpochMetrics> m = read_metrics(tmp / "metrics.jsonl");
  REQUIRE(m.size() == 2);
  CHECK(m[1].epoch == 2);
  CHECK(m[0].test_acc == doctest::Approx(0.25));
  CHECK(m[0].img_per_s == doctest::Approx(300));
  {
    std::ofstream f(tmp / "metrics.jsonl", std::ios::app);
    f << "{\"epoch\": 3}\n";
  }
  const std::string err = sl::test::error_of([&] { read_metrics(tmp / "metrics.jsonl"); });
  CHECK(sl::test::has(err, "line 3"));
  CHECK(sl::test::has(err, "test_acc"));
  // The smoothed loss: bias-corrected, so its first point is the first loss itself.
  TrainCurves c;
  c.add_step({.epoch = 1, .epochs = 1, .step = 1, .steps = 2, .global_step = 1, .batch_loss = 2.0});
  c.add_step({.epoch = 1, .epochs = 1, .step = 2, .steps = 2, .global_step = 2, .batch_loss = 1.0});
  CHECK(c.steps[0].smooth == doctest::Approx(2.0));
  CHECK(c.steps[1].smooth == doctest::Approx((0.9 * 0.1 * 2.0 + 0.1 * 1.0) / (1 - 0.81)));
  CHECK(c.steps[1].x == doctest::Approx(1.0));
}

TEST_CASE("train state: the gui's Train flags refuse bad values with exit 2 and a message") {
  const sl::test::Run tab = sl::test::run_cli("gui --panel Train --train-tab curves");
  CHECK(tab.code == 2);
  CHECK(sl::test::has(tab.out, "predictions, confusion or features"));
  const sl::test::Run run = sl::test::run_cli(
      "gui --panel Train --run /nonexistent/run --screenshot /tmp/sl_never_written.png");
  CHECK(run.code == 2);
  CHECK(sl::test::has(run.out, "/nonexistent/run"));
  const sl::test::Run both = sl::test::run_cli("gui --run a --checkpoint b");
  CHECK(both.code == 2);
  CHECK(sl::test::has(both.out, "give one"));
}
