// viz/train/train_state.cpp - the Train panel's state: curves, metrics.jsonl reading, the
// inspection of a weights file (nn/train's evaluate() on the test set), feature maps of a
// real forward pass, and TrainSession, the worker thread around nn/train's train(). The
// loop, its checkpoints and its stop flag are nn/train's; this adds a pause (the worker
// blocks inside on_step) and the bookkeeping the plots need. Not here: drawing.
//
// [SECTION] index: curves | metrics.jsonl | inspection | feature maps | session | panel state
#include "viz/train/train_state.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/cifar10.h"
#include "nn/json.h"
#include "nn/layers.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"

#ifndef SL_VIZ_SOURCE_DIR
#define SL_VIZ_SOURCE_DIR "."
#endif

namespace sl::viz {

namespace fs = std::filesystem;

const char* phase_name(TrainPhase p) {
  switch (p) {
    case TrainPhase::idle: return "idle";
    case TrainPhase::running: return "running";
    case TrainPhase::paused: return "paused";
    case TrainPhase::stopping: return "stopping";
    case TrainPhase::finished: return "finished";
    case TrainPhase::error: return "error";
  }
  return "idle";
}

// [SECTION] curves

void TrainCurves::add_step(const StepProgress& p) {
  ema = kSmoothBeta * ema + (1 - kSmoothBeta) * p.batch_loss;
  ema_n += 1;
  StepPoint pt;
  pt.x = p.steps > 0 ? (double)(p.epoch - 1) + (double)p.step / (double)p.steps : 0.0;
  pt.loss = p.batch_loss;
  pt.smooth = ema / (1 - std::pow(kSmoothBeta, (double)ema_n));
  pt.lr = p.lr;
  pt.img_per_s = p.img_per_s;
  steps.push_back(pt);
  last = p;
  have_last = true;
}

// [SECTION] metrics.jsonl

std::vector<EpochMetrics> read_metrics(const std::string& path) {
  std::ifstream f(path);
  SL_CHECK(f.good(), "cannot read ", path);
  std::vector<EpochMetrics> out;
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const JsonValue v = json_parse(line);
      SL_CHECK(v.kind == JsonValue::Kind::object, "not a JSON object");
      auto num = [&](const char* key, bool required) {
        const JsonValue* m = v.find(key);
        SL_CHECK(m || !required, "no \"", key, "\"");
        if (!m) return 0.0;
        SL_CHECK(m->kind == JsonValue::Kind::number, "\"", key, "\" is not a number");
        return std::strtod(m->text.c_str(), nullptr);
      };
      EpochMetrics e;
      e.epoch = (int64_t)num("epoch", true);
      e.train_loss = num("train_loss", false);
      e.train_acc = num("train_acc", false);
      e.test_acc = num("test_acc", true);
      e.lr = num("lr", false);
      e.img_per_s = num("img_per_s", false);
      e.elapsed_s = num("elapsed_s", false);
      out.push_back(e);
    } catch (const Error& e) {
      throw Error(str_cat(path, " line ", n, ": ", e.what(),
                          " (a metrics.jsonl line as `shufflelab train` writes it was expected)"));
    }
  }
  return out;
}

// [SECTION] inspection

const char* const kCifarNames[kCifarClasses] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                "dog",      "frog",       "horse", "ship", "truck"};

void fill_predictions(Inspection& in, const std::vector<float>& logits,
                      const std::vector<int>& labels) {
  const auto n = (int64_t)labels.size();
  SL_CHECK((int64_t)logits.size() == n * kCifarClasses, "fill_predictions: ", logits.size(),
           " logits for ", n, " labels of ", kCifarClasses, " classes");
  in.n = n;
  in.labels = labels;
  in.preds.assign((size_t)n, 0);
  for (auto& row : in.confusion) row.fill(0);
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* r = logits.data() + i * kCifarClasses;
    int best = 0;  // the arg-max, first on ties (as nn/train's count_correct)
    for (int k = 1; k < kCifarClasses; ++k)
      if (r[k] > r[best]) best = k;
    in.preds[(size_t)i] = best;
    in.confusion[(size_t)labels[(size_t)i]][(size_t)best] += 1;
    correct += best == labels[(size_t)i];
  }
  in.acc = n ? (double)correct / (double)n : 0.0;
}

Inspection inspect_weights(const std::string& model, const std::string& weights,
                           const std::string& data_dir, int64_t limit_test, int64_t eval_batch) {
  Inspection in;
  in.model = model;
  in.weights = weights;
  try {
    std::unique_ptr<Module> m = make_model(model, "cifar", kCifarClasses, 0);
    load_model_weights(*m, weights);
    const Cifar10 test = cifar10_load(cifar10_find_dir(data_dir), false, limit_test);
    std::vector<float> logits;
    const double acc = evaluate(*m, test, eval_batch, &logits);
    fill_predictions(in, logits, std::vector<int>(test.labels.begin(), test.labels.end()));
    SL_CHECK(std::abs(acc - in.acc) < 1e-12, "inspection: accuracy ", in.acc,
             " differs from evaluate()'s ", acc);
    const int64_t k = std::min<int64_t>(test.size(), kGridImages);
    in.images.assign(test.images.begin(), test.images.begin() + k * kCifarPixels);
    in.state = std::make_shared<const StateDict>(m->state_dict());
  } catch (const std::exception& e) {
    in.error = e.what();
  }
  return in;
}

// [SECTION] feature maps

namespace {

void add_map(std::vector<FeatureMap>& out, const std::string& name, const Tensor& t, int groups,
             bool shuffled) {
  FeatureMap f;
  f.name = name;
  f.C = t.size(1), f.H = t.size(2), f.W = t.size(3);
  f.values = t.contiguous().to_vector();  // [1, C, H, W]
  f.groups = groups;
  const int64_t per = f.C / groups;
  f.group.resize((size_t)f.C);
  f.inner.resize((size_t)f.C);
  for (int64_t c = 0; c < f.C; ++c) {
    // Before a shuffle channel c is branch c / per; after it (core/tensor.h channel_shuffle)
    // output channel j holds input channel (j % G) * per + j / G.
    f.group[(size_t)c] = (int)(shuffled ? c % groups : c / per);
    f.inner[(size_t)c] = (int)(shuffled ? c / groups : c % per);
  }
  out.push_back(std::move(f));
}

Module* child(Module& m, const std::string& name) {
  for (auto& [n, c] : m.named_children())
    if (n == name) return c;
  return nullptr;
}

}  // namespace

std::vector<FeatureMap> feature_maps(Module& model, const uint8_t* image) {
  model.eval();
  NoGradGuard no_grad;
  std::vector<float> x((size_t)kCifarPixels);
  cifar10_augment_normalize(x.data(), image, CropFlip{});  // dy = dx = 4, no flip: no crop
  Tensor h = Tensor::from_data(x, {1, 3, kCifarSide, kCifarSide});
  std::vector<FeatureMap> out;
  for (auto& [name, m] : model.named_children()) {
    if (name == "conv1") {
      h = (*m)(h);
      add_map(out, "conv1 (stem)", h, 1, false);
    } else if (name == "maxpool") {
      h = (*m)(h);
    } else if (name.rfind("stage", 0) == 0) {
      for (auto& [i, unit] : m->named_children()) {
        const std::string label = str_cat(name, ".", i);
        auto* shuffle = dynamic_cast<ChannelShuffle*>(child(*unit, "channel_shuffle"));
        auto* concat = dynamic_cast<Concat*>(child(*unit, "concat"));
        Module* b2 = child(*unit, "branch2");
        if (unit->type() != "InvertedResidual" || !shuffle || !concat || !b2) {
          h = (*unit)(h);  // V1: the shuffle sits inside the unit; its output only
          add_map(out, label + " output", h, 1, false);
          continue;
        }
        // ShuffleNet V2 Fig. 3 (c) / (d), the steps of the unit's forward() one at a time.
        Tensor before;
        if (auto* split = dynamic_cast<ChannelSplit*>(child(*unit, "channel_split"))) {
          auto [x1, x2] = (*split)(h);
          before = (*concat)({x1, (*b2)(x2)});
        } else {
          Module* b1 = child(*unit, "branch1");
          SL_CHECK(b1, label, ": a stride-2 unit without branch1");
          before = (*concat)({(*b1)(h), (*b2)(h)});
        }
        h = (*shuffle)(before);
        add_map(out, label + " before shuffle", before, (int)shuffle->groups, false);
        add_map(out, label + " after shuffle", h, (int)shuffle->groups, true);
      }
    } else {
      break;  // conv5, pooling, fc: not images any more
    }
  }
  return out;
}

// [SECTION] session

TrainSession::~TrainSession() {
  stop();  // an inspection finishes on its own
  if (worker_.joinable()) worker_.join();
}

void TrainSession::touch() {
  s_.version += 1;
  cv_.notify_all();
}

void TrainSession::join_finished() {
  if (worker_.joinable()) worker_.join();
}

static bool busy(const SessionSnapshot& s) {
  return s.phase == TrainPhase::running || s.phase == TrainPhase::paused ||
         s.phase == TrainPhase::stopping || s.inspecting;
}

bool TrainSession::start(const TrainConfig& cfg, int threads, bool inspect) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (busy(s_)) return false;
  }
  join_finished();
  std::lock_guard<std::mutex> lk(mu_);
  stop_ = false;
  save_ = false;
  pause_ = false;
  s_.phase = TrainPhase::running;
  s_.cfg = cfg;
  s_.curves = TrainCurves{};
  s_.inspection = Inspection{};
  s_.notes.clear();
  s_.error.clear();
  touch();
  worker_ = std::thread([this, cfg, threads, inspect] {
    if (threads > 0) omp_set_num_threads(threads);  // this thread's parallel regions
    TrainHooks hooks;
    hooks.stop = &stop_;
    hooks.save_now = &save_;
    hooks.on_note = [this](const std::string& s) {
      std::lock_guard<std::mutex> g(mu_);
      s_.notes.push_back(s);
      touch();
    };
    hooks.on_step = [this](const StepProgress& p) {
      std::unique_lock<std::mutex> g(mu_);
      s_.curves.add_step(p);
      if (pause_at_ > 0 && p.global_step >= pause_at_) {
        pause_at_ = 0;
        pause_ = true;
      }
      if (pause_ && !stop_) {  // blocks here, between two steps, until resume() or stop()
        s_.phase = TrainPhase::paused;
        touch();
        cv_.wait(g, [this] { return !pause_ || stop_.load(); });
        if (!stop_) s_.phase = TrainPhase::running;
      }
      touch();
    };
    hooks.on_epoch = [this, cfg, inspect](const EpochMetrics& m) {
      {
        std::lock_guard<std::mutex> g(mu_);
        s_.curves.epochs.push_back(m);
        s_.inspecting = inspect;
        touch();
      }
      if (!inspect) return;
      // The checkpoint train() has just saved, evaluated again with the predictions kept.
      Inspection in = inspect_weights(cfg.model, checkpoint_weights_path(cfg.out_dir), cfg.data_dir,
                                      cfg.limit_test, cfg.eval_batch);
      in.epoch = m.epoch;
      std::lock_guard<std::mutex> g(mu_);
      s_.inspection = std::move(in);
      s_.inspecting = false;
      touch();
    };
    try {
      const TrainResult r = train(cfg, hooks);
      std::lock_guard<std::mutex> g(mu_);
      s_.phase = TrainPhase::finished;
      if (r.status == TrainStatus::interrupted)
        s_.notes.push_back(str_cat("stopped at epoch ", r.epoch + 1, ", step ", r.step,
                                   ": checkpoint saved in ", cfg.out_dir,
                                   " (open it and press Continue to go on)"));
      else if (!r.history.empty())
        s_.notes.push_back(str_cat("finished: test accuracy ",
                                   accuracy_str(r.history.back().test_acc), "; weights in ",
                                   checkpoint_weights_path(cfg.out_dir)));
      else
        s_.notes.push_back(str_cat(cfg.out_dir, " had already finished its epochs"));
      touch();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> g(mu_);
      s_.phase = TrainPhase::error;
      s_.inspecting = false;
      s_.error = e.what();
      touch();
    }
  });
  return true;
}

void TrainSession::pause() {
  std::lock_guard<std::mutex> lk(mu_);
  if (s_.phase == TrainPhase::running) pause_ = true;
  touch();
}

void TrainSession::resume() {
  std::lock_guard<std::mutex> lk(mu_);
  pause_ = false;
  if (s_.phase == TrainPhase::paused) s_.phase = TrainPhase::running;
  touch();
}

void TrainSession::stop() {
  std::lock_guard<std::mutex> lk(mu_);
  if (s_.phase != TrainPhase::running && s_.phase != TrainPhase::paused) return;
  stop_ = true;
  pause_ = false;
  s_.phase = TrainPhase::stopping;
  touch();
}

void TrainSession::save_now() {
  std::lock_guard<std::mutex> lk(mu_);
  if (s_.phase == TrainPhase::running) save_ = true;
}

void TrainSession::pause_after_step(int64_t global_step) {
  std::lock_guard<std::mutex> lk(mu_);
  pause_at_ = global_step;
}

bool TrainSession::inspect(const std::string& model, const std::string& weights,
                           const std::string& data_dir, int64_t limit_test, int64_t epoch) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (busy(s_)) return false;
  }
  join_finished();
  std::lock_guard<std::mutex> lk(mu_);
  s_.inspecting = true;
  s_.inspection = Inspection{};
  touch();
  worker_ = std::thread([this, model, weights, data_dir, limit_test, epoch] {
    Inspection in = inspect_weights(model, weights, data_dir, limit_test);
    in.epoch = epoch;
    std::lock_guard<std::mutex> g(mu_);
    s_.inspection = std::move(in);
    s_.inspecting = false;
    touch();
  });
  return true;
}

TrainPhase TrainSession::phase() const {
  std::lock_guard<std::mutex> lk(mu_);
  return s_.phase;
}

uint64_t TrainSession::version() const {
  std::lock_guard<std::mutex> lk(mu_);
  return s_.version;
}

SessionSnapshot TrainSession::snapshot() const {
  std::lock_guard<std::mutex> lk(mu_);
  return s_;
}

bool TrainSession::wait_for(const std::function<bool(const SessionSnapshot&)>& pred,
                            double seconds) const {
  std::unique_lock<std::mutex> lk(mu_);
  return cv_.wait_for(lk, std::chrono::duration<double>(seconds), [&] { return pred(s_); });
}

// [SECTION] panel state

std::string default_model_dir() {
  if (const char* env = std::getenv("SHUFFLELAB_MODELS_DIR"); env && *env)
    return (fs::path(env) / "v2-0.5-cifar10").string();
  return (fs::path(SL_VIZ_SOURCE_DIR) / "assets" / "models" / "v2-0.5-cifar10").string();
}

std::string default_model_path() {
  const std::string p = (fs::path(default_model_dir()) / "model.safetensors").string();
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p : "";
}

std::vector<std::string> cifar_search_places(const std::string& field) {
  std::vector<std::string> v;
  if (!field.empty()) v.push_back(field);
  if (const char* env = std::getenv("SHUFFLELAB_DATA"); env && *env) v.emplace_back(env);
  v.emplace_back("data/cifar-10-batches-bin");
  v.push_back((fs::path(SL_VIZ_SOURCE_DIR) / "data" / "cifar-10-batches-bin").string());
  return v;
}

std::string find_cifar(const std::string& field) {
  std::error_code ec;
  for (const std::string& d : cifar_search_places(field))
    for (const fs::path& p : {fs::path(d), fs::path(d) / "cifar-10-batches-bin"})
      if (fs::is_regular_file(p / "data_batch_1.bin", ec) &&
          fs::is_regular_file(p / "test_batch.bin", ec))
        return p.string();
  return "";
}

void write_synthetic_cifar(const std::string& dir, int64_t per_file, int64_t test) {
  fs::create_directories(dir);
  Generator g(42);
  auto make = [&](int64_t n, int64_t first) {
    std::vector<uint8_t> b((size_t)(n * kCifarRecord));
    for (int64_t i = 0; i < n; ++i) {
      uint8_t* r = b.data() + i * kCifarRecord;
      const int64_t y = (first + i) % kCifarClasses;
      r[0] = (uint8_t)y;
      for (int64_t p = 0; p < kCifarPixels; ++p) {  // stripes whose colour and width name y
        const int64_t c = p / 1024, row = p % 1024 / 32;
        const float base =
            30.f + 18.f * (float)((y * 3 + c * 7) % 10) + 25.f * (float)((row / (2 + y % 3)) % 2);
        r[1 + p] = (uint8_t)std::clamp(base + 20.f * g.normal(), 0.f, 255.f);
      }
    }
    return b;
  };
  auto write = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    write_file_atomic((fs::path(dir) / name).string(), std::span<const uint8_t>(bytes));
  };
  for (int k = 1; k <= 5; ++k)
    write(str_cat("data_batch_", k, ".bin"), make(per_file, (k - 1) * per_file));
  write("test_batch.bin", make(test, 5 * per_file));
}

OpenedRun open_run(const std::string& path, const std::string& model) {
  OpenedRun r;
  r.path = path;
  r.model = model;
  std::error_code ec;
  const fs::path p(path);
  const std::string suffix = ".state.safetensors";
  if (path.empty()) {
    r.error = "enter a run folder (runs/v2-0.5) or a weights file (.safetensors)";
    return r;
  }
  if (fs::is_directory(p, ec)) {
    r.folder = p.string();
    for (const char* w : {"last.safetensors", "model.safetensors"})
      if (r.weights.empty() && fs::is_regular_file(p / w, ec)) r.weights = (p / w).string();
  } else if (fs::is_regular_file(p, ec)) {
    r.folder = p.parent_path().empty() ? std::string(".") : p.parent_path().string();
    r.weights = p.string();
  } else {
    r.error = str_cat(path, " does not exist (a run folder of `shufflelab train --out`, or a ",
                      ".safetensors file)");
    return r;
  }
  if (fs::is_regular_file(checkpoint_state_path(r.folder), ec)) {
    try {
      r.info = read_checkpoint_info(r.folder);
      r.resumable = true;
      r.model = r.info.cfg.model;
    } catch (const Error& e) {
      r.note = str_cat("cannot continue this run: ", e.what());
    }
  }
  const std::string metrics = checkpoint_metrics_path(r.folder);
  if (fs::is_regular_file(metrics, ec)) {
    try {
      r.epochs = read_metrics(metrics);
    } catch (const Error& e) {
      r.note = e.what();
    }
  }
  if (r.weights.empty() && r.epochs.empty())
    r.error = str_cat(path, " holds no weights (last.safetensors or model.safetensors) and no "
                            "metrics.jsonl");
  return r;
}

TrainPanelState::TrainPanelState() {
  cfg.out_dir = "runs/v2-0.5-app";
  data_field = find_cifar("");
}

TrainPanelState::~TrainPanelState() {
  session.stop();
  session.wait_for([](const SessionSnapshot& x) { return !busy(x); }, 600);
  std::error_code ec;
  if (remove_synthetic && !synthetic_dir.empty()) fs::remove_all(synthetic_dir, ec);
}

void TrainPanelState::update() {
  if (session.version() != shown.version) shown = session.snapshot();
  // An opened folder that a CLI run is still writing: read its metrics again every 2 s.
  const double now =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (showing_opened && !opened.folder.empty() && now - last_reload > 2.0) {
    last_reload = now;
    std::error_code ec;
    const std::string m = checkpoint_metrics_path(opened.folder);
    const size_t before = opened.epochs.size();
    if (fs::is_regular_file(m, ec)) try {
        opened.epochs = read_metrics(m);
      } catch (const Error&) {  // a line being written: keep the last good read
      }
    // A new epoch of a CLI run: its new weights get evaluated too.
    if (opened.epochs.size() > before && !opened.weights.empty() && opened.error.empty())
      session.inspect(opened.model, opened.weights, find_cifar(data_field), cfg.limit_test,
                      (int64_t)opened.epochs.size());
  }
}

void TrainPanelState::open(const std::string& path) {
  opened = open_run(path, cfg.model);
  showing_opened = true;
  if (!opened.error.empty() || opened.weights.empty()) return;
  const int64_t epoch = opened.resumable ? opened.info.state.epoch : (int64_t)opened.epochs.size();
  session.inspect(opened.model, opened.weights, find_cifar(data_field), cfg.limit_test, epoch);
}

bool TrainPanelState::start() {
  TrainConfig c = cfg;
  const std::string found = find_cifar(data_field);
  c.data_dir = found.empty() ? data_field : found;  // empty: train() says where it looked
  if (c.data_dir.empty()) c.data_dir = "data/cifar-10-batches-bin";
  c.resume = false;
  showing_opened = false;
  return session.start(c, threads);
}

bool TrainPanelState::resume_opened() {
  if (!opened.resumable) return false;
  TrainConfig c = opened.info.cfg;
  c.out_dir = opened.folder;
  c.resume = true;
  c.epochs = std::max(cfg.epochs, opened.info.cfg.epochs);
  const std::string found = find_cifar(data_field);
  if (!found.empty()) c.data_dir = found;
  c.limit_test = cfg.limit_test;
  c.device = cfg.device;  // not saved in the checkpoint: the panel's choice
  showing_opened = false;
  return session.start(c, threads);
}

void TrainPanelState::refresh_feature_maps() {
  const Inspection& in = shown.inspection;
  if (!in.state || in.images.empty()) {
    fm.clear();
    fm_key.clear();
    return;
  }
  const int images = (int)(in.images.size() / kCifarPixels);
  fm_image = std::clamp(fm_image, 0, images - 1);
  const std::string key = str_cat(in.model, "|", in.weights, "|", in.epoch, "|",
                                  (uintptr_t)in.state.get(), "|", fm_image);
  if (key == fm_key) return;
  fm_key = key;
  fm_error.clear();
  try {
    if (!fm_model || fm_model_name != in.model)
      fm_model = make_model(in.model, "cifar", kCifarClasses, 0), fm_model_name = in.model;
    fm_model->load_state_dict(*in.state);
    fm = feature_maps(*fm_model, in.images.data() + (size_t)fm_image * kCifarPixels);
    fm_layer = std::clamp(fm_layer, 0, (int)fm.size() - 1);
  } catch (const std::exception& e) {
    fm.clear();
    fm_error = e.what();
  }
}

}  // namespace sl::viz
