// nn/checkpoint.cpp - the checkpoints of nn/train.h: one state file that holds everything
// --resume needs (so weights and optimiser state are saved atomically together), and the
// two copies written after it (last.safetensors for eval, metrics.jsonl). Every metadata
// field is validated on load, so a hand-edited or corrupt file is refused with its name.
// Numbers in __metadata__ are printed with enough digits to read back exactly (%.9g for
// float, %.17g for double), so a resumed run continues from the very same values.
// [SECTION] index: helpers | save | load and validate | repair
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "nn/train.h"

namespace sl {

namespace {

// [SECTION] helpers

const char* kFormat = "shufflelab-train-state-2";
const char* kModelPrefix = "model.";
constexpr int64_t kMaxEpochs = 1000000, kMaxBatch = 1 << 20;

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string num(float v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", (double)v);
  return buf;
}
std::string num(int64_t v) { return std::to_string(v); }

// Looks up a metadata key and checks its value; every error names the file and the key.
struct MetaReader {
  std::string path;
  std::map<std::string, std::string> kv;

  [[noreturn]] void bad(const std::string& k, const std::string& why) const {
    throw Error(
        str_cat(path, ": metadata '", k, "' = '", kv.count(k) ? kv.at(k) : "", "' ", why,
                " (the file was edited or is corrupt; start a new run with another --out)"));
  }
  const std::string& str(const std::string& k) const {
    auto it = kv.find(k);
    SL_CHECK(it != kv.end(), path, ": the checkpoint metadata has no '", k,
             "' (written by another version of shufflelab?)");
    return it->second;
  }
  double real(const std::string& k, double lo, double hi) const {
    const std::string& s = str(k);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
      bad(k, "is not a finite number");
    if (!(v >= lo && v <= hi))
      bad(k, str_cat("is out of range: it must lie in [", lo, ", ", hi, "]"));
    return v;
  }
  float real32(const std::string& k, double lo, double hi) const {
    real(k, lo, hi);  // the checks; then the exact float that was printed with %.9g
    return std::strtof(str(k).c_str(), nullptr);
  }
  int64_t integer(const std::string& k, int64_t lo, int64_t hi) const {
    const std::string& s = str(k);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE) bad(k, "is not a whole number");
    if (v < lo || v > hi) bad(k, str_cat("is out of range: it must be ", lo, " .. ", hi));
    return (int64_t)v;
  }
  uint64_t unsigned64(const std::string& k) const {
    const std::string& s = str(k);
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] < '0' || s[0] > '9' || *end != '\0' || errno == ERANGE)
      bad(k, "is not a whole number in 0 .. 2^64-1");
    return (uint64_t)v;
  }
};

MetaReader meta_of(const std::string& path, const Metadata& md) {
  MetaReader r{path, {}};
  for (auto& [k, v] : md) r.kv[k] = v;
  return r;
}

// The "epoch" of a metrics line, or -1.
int64_t line_epoch(const std::string& line) {
  const std::string key = "{\"epoch\": ";
  if (line.rfind(key, 0) != 0 || line.back() != '}') return -1;
  char* end = nullptr;
  const long long e = std::strtoll(line.c_str() + key.size(), &end, 10);
  return end && *end == ',' ? (int64_t)e : -1;
}

std::string read_text(const std::string& path, bool* ok) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  *ok = f.good() || f.eof();
  return s.str();
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

std::string checkpoint_weights_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "last.safetensors").string();
}
std::string checkpoint_state_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "last.state.safetensors").string();
}
std::string checkpoint_metrics_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "metrics.jsonl").string();
}

// [SECTION] save

void save_checkpoint(const std::string& out_dir, const Module& model, const Sgd& opt,
                     const TrainConfig& cfg, const TrainState& st) {
  const StateDict weights = model.state_dict(), momentum = opt.state_dict();
  std::string bad = first_non_finite(weights);
  if (bad.empty()) bad = first_non_finite(momentum);
  SL_CHECK(bad.empty(), "not saving a checkpoint at epoch ", st.epoch + (st.step ? 1 : 0),
           ", step ", st.step, ": ", bad, " (training diverged; ", out_dir,
           " keeps its last good checkpoint)");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  SL_CHECK(!ec, "cannot create the output folder ", out_dir, ": ", ec.message());

  const std::string position = str_cat(st.epoch, ":", st.step);
  const Metadata md = {
      {"format", kFormat},
      {"position", position},
      {"model", cfg.model},
      {"epochs", num(cfg.epochs)},
      {"batch", num(cfg.batch)},
      {"lr", num(cfg.lr)},
      {"momentum", num(cfg.momentum)},
      {"weight_decay", num(cfg.weight_decay)},
      {"nesterov", cfg.nesterov ? "1" : "0"},
      {"label_smoothing", num(cfg.label_smoothing)},
      {"schedule", cfg.schedule},
      {"seed", std::to_string(cfg.seed)},
      {"limit_train", num(cfg.limit_train)},
      {"limit_test", num(cfg.limit_test)},
      {"eval_batch", num(cfg.eval_batch)},
      {"data_dir", cfg.data_dir},
      {"epoch", num(st.epoch)},
      {"step", num(st.step)},
      {"loss_sum", num(st.loss_sum)},
      {"correct", num(st.correct)},
      {"seen", num(st.seen)},
      {"step_s", num(st.step_s)},
      {"elapsed_s", num(st.elapsed_s)},
      {"last_lr", num(st.lr)},
      {"metrics", st.metrics},
      {"data_rng", "order and augmentation of epoch e, batch b drawn from mix_seed(seed, e, b)"},
  };
  StateDict all;
  for (const StateEntry& e : weights) all.push_back({kModelPrefix + e.name, e.tensor, e.dtype});
  for (const StateEntry& e : momentum) all.push_back(e);
  // 1. the checkpoint itself: after this rename, the new position is the run's.
  safetensors_write(checkpoint_state_path(out_dir), all, md);
  // 2. and 3. the copies, each whole at every moment.
  safetensors_write(
      checkpoint_weights_path(out_dir), weights,
      {{"format", "pt"}, {"model", cfg.model}, {"epoch", num(st.epoch)}, {"position", position}});
  write_text_atomic(checkpoint_metrics_path(out_dir), st.metrics);
}

// [SECTION] load and validate

CheckpointInfo read_checkpoint_info(const std::string& out_dir) {
  const std::string path = checkpoint_state_path(out_dir);
  std::error_code ec;
  SL_CHECK(std::filesystem::is_regular_file(path, ec), "no checkpoint to resume in ", out_dir, ": ",
           path, " is missing (--resume takes the --out folder of an earlier run)");
  const SafetensorsFile f = safetensors_read(path);
  const MetaReader m = meta_of(path, f.metadata);
  SL_CHECK(m.str("format") == kFormat, path, ": format '", m.str("format"), "' is not ", kFormat,
           " (written by another version of shufflelab; start a new run with another --out)");
  CheckpointInfo info;
  TrainConfig& c = info.cfg;
  auto dd = m.kv.find("data_dir");
  c.data_dir = dd == m.kv.end() ? "" : dd->second;
  c.out_dir = out_dir;
  c.model = m.str("model");
  try {
    parse_model_name(c.model);
  } catch (const Error& e) {
    m.bad("model", str_cat("is not a model name: ", e.what()));
  }
  c.epochs = m.integer("epochs", 1, kMaxEpochs);
  c.batch = m.integer("batch", 2, kMaxBatch);
  c.lr = m.real32("lr", 1e-30, 1e30);
  c.momentum = m.real32("momentum", 0, 0.99999999);
  c.weight_decay = m.real32("weight_decay", 0, 1e30);
  const std::string& nesterov = m.str("nesterov");
  if (nesterov != "0" && nesterov != "1") m.bad("nesterov", "must be 0 or 1");
  c.nesterov = nesterov == "1";
  if (c.nesterov && c.momentum <= 0.f) m.bad("nesterov", "is 1 but Nesterov needs momentum > 0");
  c.label_smoothing = m.real32("label_smoothing", 0, 0.99999999);
  c.schedule = m.str("schedule");
  if (c.schedule != "onecycle" && c.schedule != "cosine")
    m.bad("schedule", "must be onecycle or cosine");
  c.seed = m.unsigned64("seed");
  c.limit_train = m.integer("limit_train", -1, INT64_MAX);
  if (c.limit_train == 0 || c.limit_train == 1)
    m.bad("limit_train", "must be -1 (all) or at least 2");
  c.limit_test = m.integer("limit_test", -1, INT64_MAX);
  if (c.limit_test == 0) m.bad("limit_test", "must be -1 (all) or at least 1");
  c.eval_batch = m.integer("eval_batch", 1, kMaxBatch);
  c.resume = true;

  TrainState& s = info.state;
  s.epoch = m.integer("epoch", 0, c.epochs);
  s.step = m.integer("step", 0, s.epoch < c.epochs ? INT64_MAX / c.batch : 0);
  s.seen = m.integer("seen", 0, s.step * c.batch);  // exactly, once the data size is known
  s.correct = m.integer("correct", 0, s.seen);
  s.loss_sum = m.real("loss_sum", 0, s.step ? 1e300 : 0);
  s.step_s = m.real("step_s", 0, s.step ? 1e300 : 0);
  s.elapsed_s = m.real("elapsed_s", 0, 1e300);
  s.lr = m.real32("last_lr", 0, 1e30);
  info.position =
      m.str("position");  // checked against epoch:step once step is (check_checkpoint_position)

  // The metrics: exactly one line for each of the epochs 1..epoch, in order.
  s.metrics = m.str("metrics");
  std::istringstream lines(s.metrics);
  std::string line;
  int64_t n = 0;
  while (std::getline(lines, line)) {
    if (line_epoch(line) != n + 1)
      m.bad("metrics", str_cat("line ", n + 1, " is not the metrics of epoch ", n + 1));
    ++n;
  }
  if (n != s.epoch || (!s.metrics.empty() && s.metrics.back() != '\n'))
    m.bad("metrics",
          str_cat("holds ", n, " epoch lines, but the checkpoint is at epoch ", s.epoch));
  return info;
}

void check_checkpoint_position(const CheckpointInfo& info, int64_t train_images,
                               const std::string& out_dir) {
  const int64_t batch = info.cfg.batch, steps = (train_images + batch - 1) / batch;
  const TrainState& s = info.state;
  const std::string path = checkpoint_state_path(out_dir);
  // step == steps: every step of the epoch done, its evaluation not yet (stopped in between).
  SL_CHECK(s.step <= steps, path, ": metadata 'step' = ", s.step, " is out of range: an epoch of ",
           train_images, " images at batch ", batch, " has ", steps,
           " steps (the file was edited, or --data now holds other data)");
  const int64_t seen = std::min(s.step * batch, train_images);
  SL_CHECK(s.seen == seen, path, ": metadata 'seen' = ", s.seen, " does not match step ", s.step,
           " at batch ", batch, " on ", train_images, " images (expected ", seen, ")");
  SL_CHECK(info.position == str_cat(s.epoch, ":", s.step), path, ": metadata 'position' = '",
           info.position, "' disagrees with epoch ", s.epoch, ", step ", s.step,
           " (the file was edited or is corrupt)");
}

std::string load_checkpoint(const std::string& out_dir, Module& model, Sgd& opt) {
  const std::string spath = checkpoint_state_path(out_dir);
  const SafetensorsFile s = safetensors_read(spath);
  StateDict weights, momentum;
  for (const StateEntry& e : s.tensors) {
    if (e.name.rfind(kModelPrefix, 0) == 0)
      weights.push_back({e.name.substr(6), e.tensor, e.dtype});
    else
      momentum.push_back(e);
  }
  std::string bad = first_non_finite(weights);
  if (bad.empty()) bad = first_non_finite(momentum);
  SL_CHECK(bad.empty(), spath, ": ", bad,
           " (a checkpoint of a diverged run; start a new run with a lower --lr)");
  // Each load checks everything before changing anything.
  try {
    model.load_state_dict(weights);
    opt.load_state_dict(momentum);
  } catch (const Error& e) {
    throw Error(str_cat(spath, ": ", e.what()));
  }

  // [SECTION] repair: the copies written after the state file may be one save behind.
  std::string repaired;
  const MetaReader m = meta_of(spath, s.metadata);
  const std::string position = m.str("position");
  // Compared by content, not by position: after --overwrite an old run's copy may carry
  // the same "epoch:step".
  bool same = false;
  try {
    const StateDict w = safetensors_read(checkpoint_weights_path(out_dir)).tensors;
    same = w.size() == weights.size();
    for (size_t i = 0; same && i < w.size(); ++i)
      same = w[i].name == weights[i].name && w[i].tensor.shape() == weights[i].tensor.shape() &&
             w[i].tensor.to_vector() == weights[i].tensor.to_vector();
  } catch (const Error&) {
    same = false;  // missing or unreadable: rewritten below
  }
  if (!same) {
    safetensors_write(checkpoint_weights_path(out_dir), weights,
                      {{"format", "pt"},
                       {"model", m.str("model")},
                       {"epoch", m.str("epoch")},
                       {"position", position}});
    repaired += str_cat("rewrote ", checkpoint_weights_path(out_dir),
                        " from the checkpoint (epoch:step ", position, "); ");
  }
  bool ok = false;
  const std::string metrics = m.str("metrics");
  if (read_text(checkpoint_metrics_path(out_dir), &ok) != metrics || !ok) {
    write_text_atomic(checkpoint_metrics_path(out_dir), metrics);
    repaired += str_cat("rewrote ", checkpoint_metrics_path(out_dir), " from the checkpoint; ");
  }
  if (!repaired.empty()) repaired.resize(repaired.size() - 2);
  return repaired;
}

}  // namespace sl
