// nn/train.cpp - the training loop of `shufflelab train`: for each step, the schedule's
// learning rate, forward, cross-entropy, backward, one SGD update; after each epoch, test
// accuracy, a metrics line and a checkpoint (only of finite values). The random state is
// (seed, epoch, step), so a run resumed from any checkpoint repeats the uninterrupted run
// exactly. A new run refuses a folder that holds another run unless told --overwrite.
// [SECTION] index: metrics | evaluation | resuming | the loop
#include "nn/train.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/alloc.h"
#include "nn/infer.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"

namespace sl {

namespace fs = std::filesystem;

// [SECTION] metrics

std::string metrics_json(const EpochMetrics& m) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "{\"epoch\": %lld, \"train_loss\": %.6f, \"train_acc\": %.6f, \"test_acc\": %.6f, "
                "\"lr\": %.6g, "
                "\"img_per_s\": %.1f, \"elapsed_s\": %.1f}",
                (long long)m.epoch, m.train_loss, m.train_acc, m.test_acc, m.lr, m.img_per_s,
                m.elapsed_s);
  return buf;
}

std::string accuracy_str(double acc, int64_t classes) {
  const double chance = 1.0 / (double)classes;
  char buf[96];
  if (acc < 2 * chance)
    std::snprintf(buf, sizeof buf, "%.2f%% (chance level: %.3g%% for %lld classes)", 100 * acc,
                  100 * chance, (long long)classes);
  else
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * acc);
  return buf;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// [SECTION] evaluation

int64_t count_correct(const Tensor& logits, const std::vector<int>& labels) {
  const Tensor l = logits.detach().contiguous();
  SL_CHECK(l.dim() == 2 && l.size(0) == (int64_t)labels.size(), "count_correct: logits are ",
           shape_str(l.shape()), " for ", labels.size(), " labels");
  if (l.device() != Device::cpu) {  // arg-max and compare on the device; one number comes back
    NoGradGuard no_grad;
    const Tensor y = Tensor::from_data(std::vector<float>(labels.begin(), labels.end()),
                                       {(int64_t)labels.size()}, l.device());
    return (int64_t)sum(eq(argmax(l, 1), y)).item();
  }
  const std::vector<float> v = l.to_vector();
  const int64_t N = l.size(0), K = l.size(1);
  int64_t correct = 0;
  for (int64_t n = 0; n < N; ++n) {
    int64_t best = 0;
    for (int64_t k = 1; k < K; ++k)
      if (v[(size_t)(n * K + k)] > v[(size_t)(n * K + best)]) best = k;
    correct += best == labels[(size_t)n];
  }
  return correct;
}

double evaluate_batches(const Cifar10& data, int64_t batch, std::vector<float>* logits,
                        const std::function<Tensor(const Tensor&)>& forward) {
  BatchLoader loader(data, {.batch = batch, .shuffle = false, .augment = false, .seed = 0});
  loader.start_epoch(0);
  if (logits) logits->clear();
  int64_t correct = 0;
  Batch b;
  while (loader.next(b)) {
    const Tensor out = forward(b.x);
    correct += count_correct(out, b.y);
    if (logits) {
      const std::vector<float> v = out.to_vector();
      logits->insert(logits->end(), v.begin(), v.end());
    }
  }
  return (double)correct / (double)data.size();
}

double evaluate(Module& model, const Cifar10& data, int64_t batch, std::vector<float>* logits) {
  return model.device() == Device::cpu ? evaluate_with_plan(model, data, batch, logits)
                                       : evaluate_forward(model, data, batch, logits);
}

double evaluate_forward(Module& model, const Cifar10& data, int64_t batch,
                        std::vector<float>* logits) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const double acc = evaluate_batches(data, batch, logits,
                                      [&](const Tensor& x) { return model(x.to(model.device())); });
  model.train(was_training);
  return acc;
}

// [SECTION] resuming

namespace {

// Flags that change what training computes must match the checkpoint's recipe.
void check_same_recipe(const TrainConfig& saved, const TrainConfig& now,
                       const std::string& out_dir) {
  auto same = [&](bool equal, const char* flag, const std::string& a, const std::string& b) {
    SL_CHECK_USAGE(
        equal, "--resume ", out_dir, ": --", flag, " ", b, " differs from the checkpoint's ", a,
        "; leave the flag out to keep the run's recipe, or start a new run with another --out");
  };
  same(saved.model == now.model, "model", saved.model, now.model);
  same(saved.batch == now.batch, "batch", std::to_string(saved.batch), std::to_string(now.batch));
  same(saved.lr == now.lr, "lr", str_cat(saved.lr), str_cat(now.lr));
  same(saved.momentum == now.momentum, "momentum", str_cat(saved.momentum), str_cat(now.momentum));
  same(saved.weight_decay == now.weight_decay, "wd", str_cat(saved.weight_decay),
       str_cat(now.weight_decay));
  same(saved.nesterov == now.nesterov, "nesterov", saved.nesterov ? "on" : "off",
       now.nesterov ? "on" : "off");
  same(saved.label_smoothing == now.label_smoothing, "label-smoothing",
       str_cat(saved.label_smoothing), str_cat(now.label_smoothing));
  same(saved.schedule == now.schedule, "schedule", saved.schedule, now.schedule);
  same(saved.seed == now.seed, "seed", std::to_string(saved.seed), std::to_string(now.seed));
  same(saved.limit_train == now.limit_train, "limit-train", std::to_string(saved.limit_train),
       std::to_string(now.limit_train));
}

void check_config(const TrainConfig& c) {
  const std::string why = device_unavailable_reason(c.device);  // a runtime error, not usage
  SL_CHECK(why.empty(), "train --device ", device_name(c.device), ": ", why);
  SL_CHECK_USAGE(c.epochs >= 1, "--epochs must be at least 1, it is ", c.epochs);
  SL_CHECK_USAGE(c.batch >= 2, "--batch must be at least 2 (BatchNorm needs two images), it is ",
                 c.batch);
  SL_CHECK_USAGE(c.eval_batch >= 1, "the evaluation batch must be at least 1, it is ",
                 c.eval_batch);
  SL_CHECK_USAGE(c.lr > 0.f && std::isfinite(c.lr), "--lr must be a positive number, it is ", c.lr);
  SL_CHECK_USAGE(c.momentum >= 0.f && c.momentum < 1.f, "--momentum must be in [0, 1), it is ",
                 c.momentum);
  SL_CHECK_USAGE(c.weight_decay >= 0.f, "--wd must be >= 0, it is ", c.weight_decay);
  SL_CHECK_USAGE(!c.nesterov || c.momentum > 0.f,
                 "Nesterov needs --momentum > 0 (or pass --no-nesterov)");
  SL_CHECK_USAGE(c.label_smoothing >= 0.f && c.label_smoothing < 1.f,
                 "--label-smoothing must be in [0, 1), it is ", c.label_smoothing);
  SL_CHECK_USAGE(c.limit_train == -1 || c.limit_train >= 2,
                 "--limit-train must be at least 2, it is ", c.limit_train);
  SL_CHECK_USAGE(c.limit_test == -1 || c.limit_test >= 1, "--limit-test must be at least 1, it is ",
                 c.limit_test);
  SL_CHECK_USAGE(!c.out_dir.empty(), "the output folder (--out) must not be empty");
  lr_at(c.schedule, 0, 1, c.lr);  // throws UsageError for an unknown schedule
}

}  // namespace

// What a folder already holds, for the "refuse to overwrite" message; "" when no run.
std::string existing_run(const std::string& out_dir) {
  std::error_code ec;
  std::string files;
  for (const std::string& p : {checkpoint_state_path(out_dir), checkpoint_weights_path(out_dir)})
    if (fs::exists(p, ec)) files += (files.empty() ? "" : ", ") + fs::path(p).filename().string();
  if (fs::exists(checkpoint_metrics_path(out_dir), ec) &&
      fs::file_size(checkpoint_metrics_path(out_dir), ec) > 0)
    files += (files.empty() ? "" : ", ") + std::string("metrics.jsonl");
  if (files.empty()) return "";
  try {
    const CheckpointInfo info = read_checkpoint_info(out_dir);
    return str_cat("a ", info.cfg.model, " run at epoch ", info.state.epoch, " of ",
                   info.cfg.epochs, " (", files, ")");
  } catch (const Error&) {
    return str_cat("an earlier run (", files, ")");
  }
}

void check_new_run_folder(const TrainConfig& cfg) {
  if (cfg.resume || cfg.overwrite) return;
  const std::string earlier = existing_run(cfg.out_dir);
  SL_CHECK_USAGE(earlier.empty(), cfg.out_dir, " already holds ", earlier,
                 "; a new run never replaces one silently: continue it with --resume ", cfg.out_dir,
                 ", pick a new folder with --out, or pass --overwrite to replace it (its files "
                 "stay until the ",
                 "new run's first checkpoint)");
}

// [SECTION] the loop

TrainResult train(const TrainConfig& cfg, const TrainHooks& hooks) {
  check_config(cfg);
  auto note = [&](const std::string& s) {
    if (hooks.on_note) hooks.on_note(s);
  };
  TrainState st;
  CheckpointInfo info;
  const std::string earlier = cfg.resume ? "" : existing_run(cfg.out_dir);
  if (cfg.resume) {
    info = read_checkpoint_info(cfg.out_dir);
    check_same_recipe(info.cfg, cfg, cfg.out_dir);
    st = info.state;
    if (info.cfg.epochs != cfg.epochs)
      note(str_cat("the schedule now spans ", cfg.epochs, " epochs instead of ", info.cfg.epochs,
                   ", so this run will differ from an uninterrupted one"));
  } else if (!earlier.empty()) {
    check_new_run_folder(cfg);
    note(str_cat(cfg.out_dir, " holds ", earlier,
                 "; --overwrite: it is replaced at this run's first checkpoint"));
  }
  const Cifar10 train_set = cifar10_load(cfg.data_dir, true, cfg.limit_train);
  const Cifar10 test_set = cifar10_load(cfg.data_dir, false, cfg.limit_test);
  SL_CHECK(train_set.size() >= 2, "training needs at least 2 images, ", cfg.data_dir, " gave ",
           train_set.size());

  std::unique_ptr<Module> model = make_model(cfg.model, "cifar", kCifarClasses, cfg.seed);
  model->to(cfg.device);  // initialised on the CPU (same weights on every device), then moved
  Sgd opt(model->named_parameters(), {.lr = cfg.lr,
                                      .momentum = cfg.momentum,
                                      .nesterov = cfg.nesterov,
                                      .weight_decay = cfg.weight_decay});
  if (cfg.resume) {
    check_checkpoint_position(info, train_set.size(), cfg.out_dir);
    const std::string repaired = load_checkpoint(cfg.out_dir, *model, opt);
    if (!repaired.empty()) note(repaired + " (a save was interrupted)");
    if (st.epoch < cfg.epochs)
      note(str_cat("resumed ", cfg.out_dir, " at epoch ", st.epoch + 1, ", step ", st.step));
  } else {
    std::error_code ec;
    fs::create_directories(cfg.out_dir, ec);
    SL_CHECK(!ec, "cannot create the output folder ", cfg.out_dir, ": ", ec.message());
  }
  // Where the last good checkpoint is, for the divergence message.
  auto checkpoint_at = [&] {
    return st.step ? str_cat(cfg.out_dir, " keeps its checkpoint from epoch ", st.epoch + 1,
                             ", step ", st.step)
                   : str_cat(cfg.out_dir, " keeps its checkpoint from the end of epoch ", st.epoch);
  };
  std::string kept = cfg.resume        ? checkpoint_at()
                     : earlier.empty() ? std::string("there is no checkpoint yet")
                                       : str_cat(cfg.out_dir, " keeps the earlier run, untouched");
  auto diverged = [&](const std::string& what, const std::string& where, float lr) {
    return Error(str_cat("training diverged: ", what, " ", where, " (lr ", lr,
                         "); nothing was saved, so ", kept, "\nhint: lower --lr (e.g. half of ",
                         cfg.lr, ") or try --schedule cosine"));
  };
  // Saves only finite weights and momentum, so a checkpoint is always one to go on from.
  auto save = [&] {
    std::string bad = first_non_finite(model->state_dict());
    if (bad.empty()) bad = first_non_finite(opt.state_dict());
    const std::string where = st.step ? str_cat("at epoch ", st.epoch + 1, ", step ", st.step)
                                      : str_cat("at the end of epoch ", st.epoch);
    if (!bad.empty()) throw diverged(str_cat("the weights or momentum: ", bad), where, st.lr);
    save_checkpoint(cfg.out_dir, *model, opt, cfg, st);
    kept = checkpoint_at();
  };

  BatchLoader loader(train_set,
                     {.batch = cfg.batch, .shuffle = true, .augment = true, .seed = cfg.seed});
  const int64_t steps = loader.batches_per_epoch(), total = steps * cfg.epochs;
  const CrossEntropyParams ce{.label_smoothing = cfg.label_smoothing};
  const auto session_start = std::chrono::steady_clock::now();
  const double elapsed_before = st.elapsed_s;
  auto elapsed = [&] { return elapsed_before + seconds_since(session_start); };
  double session_step_s = 0;
  int64_t session_steps = 0;

  TrainResult result;
  model->train();
  for (int64_t epoch = st.epoch; epoch < cfg.epochs; ++epoch) {
    loader.start_epoch(epoch, st.step);
    Batch b;
    while (true) {
      if (hooks.stop && hooks.stop->load()) {  // e.g. Ctrl-C: save where we are and stop
        st.elapsed_s = elapsed();
        save();
        result.status = TrainStatus::interrupted;
        result.epoch = st.epoch;
        result.step = st.step;
        return result;
      }
      if (hooks.save_now && hooks.save_now->exchange(false)) {  // e.g. the app's "Save now"
        st.elapsed_s = elapsed();
        save();
        note(str_cat("checkpoint saved in ", cfg.out_dir, " at epoch ", epoch + 1, ", step ",
                     st.step));
      }
      const auto t0 = std::chrono::steady_clock::now();
      if (!loader.next(b)) break;
      const int64_t g = epoch * steps + st.step;
      const float lr = lr_at(cfg.schedule, g, total, cfg.lr);
      opt.set_lr(lr);
      const Tensor logits =
          (*model)(b.x.to(cfg.device));  // the images to the device (labels: in the loss)
      const Tensor loss = cross_entropy(logits, b.y, ce);
      const float L = loss.item();
      if (!std::isfinite(L))
        throw diverged(str_cat("the loss is ", L),
                       str_cat("at epoch ", epoch + 1, ", step ", st.step + 1), lr);
      loss.backward(Tensor::KeepGraph::no);  // activations freed as backward passes them
      opt.step();
      opt.zero_grad();

      const auto B = (int64_t)b.y.size();
      st.loss_sum += (double)L * (double)B;
      st.correct += count_correct(logits, b.y);
      st.seen += B;
      st.step += 1;
      st.lr = lr;
      const double dt = seconds_since(t0);
      st.step_s += dt;
      session_step_s += dt;
      session_steps += 1;
      if (hooks.on_step) {
        StepProgress p{.epoch = epoch + 1,
                       .epochs = cfg.epochs,
                       .step = st.step,
                       .steps = steps,
                       .global_step = g + 1,
                       .loss = st.loss_sum / (double)st.seen,
                       .acc = (double)st.correct / (double)st.seen,
                       .batch_loss = L,
                       .lr = lr,
                       .img_per_s = (double)st.seen / st.step_s,
                       .eta_s = (double)(total - g - 1) * session_step_s / (double)session_steps};
        hooks.on_step(p);
      }
    }
    note(str_cat("evaluating on ", test_set.size(), " test images"));
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_loss = st.loss_sum / (double)st.seen;
    m.train_acc = (double)st.correct / (double)st.seen;
    m.test_acc = evaluate(*model, test_set, cfg.eval_batch);
    // On a device the test pass ran the model's forward at eval_batch images, in buffers of
    // other sizes than a training step's: hand them back to the system rather than keep them
    // cached beside the training step's (core/alloc.h). The CPU's inference plan keeps its
    // activations in its own arena, freed when evaluate returns, so there the training
    // step's cached buffers stay (dropping them cost the next epoch's first step ~400 MB of
    // fresh pages).
    if (cfg.device != Device::cpu) release_cached_memory();
    m.lr = st.lr;
    m.img_per_s = (double)st.seen / st.step_s;
    m.elapsed_s = elapsed();
    st = TrainState{.epoch = epoch + 1,
                    .elapsed_s = m.elapsed_s,
                    .lr = st.lr,
                    .metrics = st.metrics + metrics_json(m) + "\n"};
    save();
    result.history.push_back(m);
    if (hooks.on_epoch) hooks.on_epoch(m);
  }
  result.epoch = st.epoch;
  return result;
}

// [SECTION] loading weights from a run, a checkpoint or a weights file

namespace {
bool is_state_file(const std::string& path) {
  const std::string suffix = ".state.safetensors";
  return path.size() >= suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

void load_model_weights(Module& model, const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    SL_CHECK(fs::is_regular_file(checkpoint_weights_path(path), ec), "'", path,
             "' is a directory without last.safetensors, not a run folder of `shufflelab "
             "train`; give a weights file, a run folder or its last.state.safetensors");
    load_weights(model, checkpoint_weights_path(path));
    return;
  }
  if (!is_state_file(path)) {
    load_weights(model, path);
    return;
  }
  // A checkpoint holds the weights under "model.<key>" beside the momentum buffers.
  SafetensorsFile f = safetensors_read(path);
  StateDict sd;
  for (StateEntry& e : f.tensors)
    if (e.name.rfind("model.", 0) == 0) sd.push_back({e.name.substr(6), e.tensor, e.dtype});
  SL_CHECK(!sd.empty(), path,
           " holds no \"model.*\" tensors: not a checkpoint of `shufflelab train`");
  const std::string bad = first_non_finite(sd);
  SL_CHECK(bad.empty(), path, ": ", bad, "; these weights come from a diverged run");
  try {
    model.load_state_dict(sd);
  } catch (const Error& e) {
    throw Error(str_cat(path, ": ", e.what()));
  }
}

std::string checkpoint_model(const std::string& path) {
  std::error_code ec;
  std::string folder;
  if (fs::is_directory(path, ec))
    folder = path;
  else if (is_state_file(path))
    folder = fs::path(path).has_parent_path() ? fs::path(path).parent_path().string() : ".";
  if (folder.empty() || !fs::is_regular_file(checkpoint_state_path(folder), ec)) return "";
  return read_checkpoint_info(folder).cfg.model;
}

}  // namespace sl
