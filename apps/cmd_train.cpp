// apps/cmd_train.cpp - `shufflelab train`: turns flags into a TrainConfig, draws the live
// progress line (rewritten in place with \r on a terminal, plain lines otherwise), and
// turns Ctrl-C (SIGINT) and SIGTERM into "save a checkpoint and stop" (exit 130 / 143).
// Not here: the loop, the data or the checkpoints (nn/train.h, nn/cifar10.h, nn/checkpoint.cpp).
#include <malloc.h>
#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/models/models.h"
#include "nn/train.h"

using namespace sl;

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};  // the signal that asked to stop

// Async-signal-safe: set the flag, say so with write(2), and let a second signal kill.
extern "C" void on_stop_signal(int sig) {
  g_stop.store(true);
  g_signal.store(sig);
  const char ctrl_c[] =
      "\nCtrl-C: finishing this step and saving a checkpoint (Ctrl-C again quits at once)\n";
  const char term[] =
      "\nSIGTERM: finishing this step and saving a checkpoint (a second SIGTERM quits at once)\n";
  if (sig == SIGINT)
    (void)!write(STDERR_FILENO, ctrl_c, sizeof ctrl_c - 1);
  else
    (void)!write(STDERR_FILENO, term, sizeof term - 1);
  std::signal(sig, SIG_DFL);
}

void catch_stop_signals(bool on) {
  std::signal(SIGINT, on ? on_stop_signal : SIG_DFL);
  std::signal(SIGTERM, on ? on_stop_signal : SIG_DFL);
}

std::string plural(int64_t n, const char* word) { return str_cat(n, " ", word, n == 1 ? "" : "s"); }

std::string duration_str(double s) {
  char buf[32];
  const long long t = std::llround(s);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, t / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  return buf;
}

// Draws progress: on a terminal one line redrawn at most 10 times a second, else a plain
// line every tenth of an epoch.
struct Progress {
  bool tty = isatty(STDOUT_FILENO);
  bool line_open = false;
  std::chrono::steady_clock::time_point last{};

  void step(const StepProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const bool last_step = p.step == p.steps;
    if (tty) {
      if (!last_step && now - last < std::chrono::milliseconds(100)) return;
    } else if (p.step % std::max<int64_t>(1, p.steps / 10) != 0 && !last_step) {
      return;
    }
    last = now;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "epoch %lld/%lld step %lld/%lld  running train loss %.4f  running train acc "
                  "%5.1f%%  lr %.4f  "
                  "%.0f img/s  ETA %s",
                  (long long)p.epoch, (long long)p.epochs, (long long)p.step, (long long)p.steps,
                  p.loss, 100 * p.acc, p.lr, p.img_per_s, duration_str(p.eta_s).c_str());
    show(buf);
  }
  void show(const std::string& s) {
    if (tty) {
      std::printf("\r%s\033[K", s.c_str());
      line_open = true;
    } else {
      std::printf("%s\n", s.c_str());
    }
    std::fflush(stdout);
  }
  void line(const std::string& s) {  // a permanent line
    if (line_open) std::printf("\r\033[K");
    line_open = false;
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
  }
};

}  // namespace

int cmd_train(int argc, char** argv) {
  cli::Flags f("train", argc, argv,
               {{"model", true,
                 "v2-0.5 | v2-1.0 | v2-1.5 | v2-2.0 | v1-g<G>-<scale> (required for a new run)"},
                {"data", true,
                 "CIFAR-10 folder (default: $SHUFFLELAB_DATA, else data/cifar-10-batches-bin)"},
                {"epochs", true, "number of epochs (required for a new run)"},
                {"batch", true, "batch size (default 128)"},
                {"lr", true, "peak learning rate (default 0.1)"},
                {"schedule", true, "onecycle | cosine (default onecycle)"},
                {"wd", true, "weight decay, not applied to BatchNorm or biases (default 5e-4)"},
                {"momentum", true, "SGD momentum (default 0.9)"},
                {"nesterov", false, "Nesterov momentum (the default)"},
                {"no-nesterov", false, "plain (heavy-ball) momentum"},
                {"label-smoothing", true, "cross-entropy label smoothing (default 0)"},
                {"seed", true,
                 "seed of the initial weights, data order and augmentation (default 0)"},
                {"out", true, "output folder (default runs/<model>)"},
                {"resume", true, "continue the run saved in this folder (its recipe is kept)"},
                {"overwrite", false,
                 "let a new run replace the run already in --out (kept until the first save)"},
                {"limit-train", true, "train on the first N training images only (N >= 2)"},
                {"limit-test", true, "test on the first N test images only (N >= 1)"},
                {"threads", true, "CPU threads (default: all cores)"},
                cli::device_flag_spec()});
  if (f.help()) {
    std::printf(
        "%s",
        f.usage(
             "--model M --epochs E [--data DIR] [--batch B] [--lr LR] [--seed S] [--out DIR]\n"
             "       [--resume DIR] [--overwrite] [--limit-train N] [--limit-test N] [--threads T]",
             "Trains a ShuffleNet on CIFAR-10 (cifar variant) with SGD and a one-cycle or cosine\n"
             "schedule. The progress line shows the running mean of the training loss and\n"
             "accuracy over the epoch so far; after every epoch the model is tested.\n"
             "\n"
             "Files in OUT (default runs/<model>), written after every epoch:\n"
             "  last.state.safetensors  the checkpoint: weights, momentum, recipe, position and\n"
             "                          metrics in ONE file, replaced atomically, so a crash at "
             "any\n"
             "                          moment leaves the old checkpoint or the new one, never a "
             "mix\n"
             "  last.safetensors        the weights alone, for `shufflelab eval` (a copy)\n"
             "  metrics.jsonl           one JSON line per epoch (a copy)\n"
             "The copies are written after the checkpoint; --resume repairs them if a crash\n"
             "came in between. Weights with NaN or Inf values (a diverged run) are never saved.\n"
             "\n"
             "An OUT that already holds a run is refused: continue it with --resume OUT, pick a\n"
             "new --out, or pass --overwrite (the old files stay until the new run's first save).\n"
             "Ctrl-C or SIGTERM (from `timeout` or a job scheduler) saves a checkpoint and exits\n"
             "with 130 or 143; a resumed run repeats the uninterrupted one exactly. Example:\n"
             "  shufflelab train --model v2-0.5 --epochs 10 --batch 128 --lr 0.1")
            .c_str());
    return 0;
  }
  if (f.has("threads")) {
    const int64_t t = f.integer("threads", 0);
    SL_CHECK_USAGE(t >= 1 && t <= 1024, "--threads must be between 1 and 1024, got ", t);
    omp_set_num_threads((int)t);
  }
#ifdef __GLIBC__
  // Keep freed activation buffers in the heap for the next step. By default glibc hands
  // large blocks back to the OS and the next step page-faults them in again: about 40 MB
  // of freshly zeroed pages per step at batch 128, some 5-8% of the step.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  SL_CHECK_USAGE(!(f.has("nesterov") && f.has("no-nesterov")),
                 "--nesterov and --no-nesterov contradict each other");

  TrainConfig cfg;
  if (f.has("resume")) {
    const std::string dir = f.str("resume");
    SL_CHECK_USAGE(!f.has("out") || f.str("out") == dir, "--resume ", dir,
                   " continues in that folder; drop --out ", f.str("out"));
    cfg = read_checkpoint_info(dir).cfg;
    cfg.out_dir = dir;
  } else {
    SL_CHECK_USAGE(f.has("model"), "--model is required (for example --model v2-0.5)");
    SL_CHECK_USAGE(f.has("epochs"), "--epochs is required (for example --epochs 10)");
    cfg.out_dir = "runs/" + f.str("model");
  }
  // Flags given override the defaults (a new run) or must agree with the checkpoint (resume).
  cfg.model = f.str("model", cfg.model);
  cfg.epochs = f.integer("epochs", cfg.epochs);
  cfg.batch = f.integer("batch", cfg.batch);
  cfg.lr = (float)f.number("lr", cfg.lr);
  cfg.schedule = f.str("schedule", cfg.schedule);
  cfg.weight_decay = (float)f.number("wd", cfg.weight_decay);
  cfg.momentum = (float)f.number("momentum", cfg.momentum);
  if (f.has("nesterov")) cfg.nesterov = true;
  if (f.has("no-nesterov")) cfg.nesterov = false;
  cfg.label_smoothing = (float)f.number("label-smoothing", cfg.label_smoothing);
  const int64_t seed = f.integer("seed", (int64_t)cfg.seed);
  SL_CHECK_USAGE(seed >= 0, "--seed must be >= 0, got ", seed);
  cfg.seed = (uint64_t)seed;
  cfg.out_dir = f.str("out", cfg.out_dir);
  cfg.limit_train = f.integer_in("limit-train", cfg.limit_train, 2, INT64_MAX);
  cfg.limit_test = f.integer_in("limit-test", cfg.limit_test, 1, INT64_MAX);
  cfg.overwrite = f.has("overwrite");
  SL_CHECK_USAGE(!(cfg.overwrite && cfg.resume),
                 "--overwrite starts a new run; it does not go with --resume");
  parse_model_name(cfg.model);                // a bad name is a usage error before any data is read
  cfg.device = cli::device_flag(f, "train");  // exit 1 naming why, before any data is read
  // A resumed run reads its old data folder unless --data says otherwise.
  std::string data = f.str("data");
  if (data.empty() && cfg.resume && !cfg.data_dir.empty() &&
      std::filesystem::exists(cfg.data_dir + "/test_batch.bin"))
    data = cfg.data_dir;
  cfg.data_dir = cifar10_find_dir(data);
  check_new_run_folder(
      cfg);  // before any output: an earlier run in --out is never replaced silently

  Progress progress;
  std::printf("training %s on CIFAR-10 from %s: %s, batch %lld, %s lr %g, momentum %g%s, wd %g, "
              "seed %llu, %s; output in %s\n",
              cfg.model.c_str(), cfg.data_dir.c_str(), plural(cfg.epochs, "epoch").c_str(),
              (long long)cfg.batch, cfg.schedule.c_str(), (double)cfg.lr, (double)cfg.momentum,
              cfg.nesterov ? " (Nesterov)" : "", (double)cfg.weight_decay,
              (unsigned long long)cfg.seed,
              cfg.device == Device::cpu ? str_cat("threads ", omp_get_max_threads()).c_str()
                                        : "device cuda",
              cfg.out_dir.c_str());
  TrainHooks hooks;
  hooks.stop = &g_stop;
  hooks.on_step = [&](const StepProgress& p) { progress.step(p); };
  hooks.on_note = [&](const std::string& s) {
    if (s.rfind("evaluating", 0) == 0) {
      if (progress.tty) progress.show(s + " ...");
    } else {
      progress.line("note: " + s);
    }
  };
  hooks.on_epoch = [&](const EpochMetrics& m) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "epoch %lld/%lld: train loss %.4f acc %.2f%% | test acc %s | lr %.5f | %.0f "
                  "img/s | %s elapsed",
                  (long long)m.epoch, (long long)cfg.epochs, m.train_loss, 100 * m.train_acc,
                  accuracy_str(m.test_acc).c_str(), m.lr, m.img_per_s,
                  duration_str(m.elapsed_s).c_str());
    progress.line(buf);
  };

  g_stop.store(false);
  g_signal.store(0);
  catch_stop_signals(true);
  TrainResult r;
  try {
    r = train(cfg, hooks);
  } catch (...) {
    catch_stop_signals(false);
    progress.line("");
    throw;
  }
  catch_stop_signals(false);
  if (r.status == TrainStatus::interrupted) {
    progress.line(str_cat("interrupted at epoch ", r.epoch + 1, ", step ", r.step,
                          ": checkpoint saved in ", cfg.out_dir,
                          "\ncontinue with: shufflelab train --resume ", cfg.out_dir));
    return 128 + (g_signal.load() ? g_signal.load()
                                  : SIGINT);  // the shell convention: 130 SIGINT, 143 SIGTERM
  }
  const std::string weights = checkpoint_weights_path(cfg.out_dir);
  if (r.history.empty()) {
    progress.line(str_cat("nothing to do: ", cfg.out_dir, " already finished its ",
                          plural(cfg.epochs, "epoch"),
                          " (raise --epochs to train longer); weights in ", weights));
    return 0;
  }
  const EpochMetrics& last = r.history.back();
  progress.line(str_cat("done: test accuracy ", accuracy_str(last.test_acc), " on ",
                        cfg.limit_test > 0 ? str_cat("the first ", cfg.limit_test, " test images")
                                           : "the test set",
                        " after ", plural(last.epoch, "epoch"), "; weights in ", weights,
                        ", metrics in ", checkpoint_metrics_path(cfg.out_dir)));
  return 0;
}
