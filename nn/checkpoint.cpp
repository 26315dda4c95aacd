// nn/checkpoint.cpp - the checkpoints of nn/train.h: saving and loading a training run's
// two files through the safetensors reader and writer (nn/safetensors.h, atomic writes).
// Numbers in __metadata__ are printed with enough digits to read back exactly (%.9g for
// float, %.17g for double), so a resumed run continues from the very same values.
#include "nn/train.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "nn/safetensors.h"

namespace sl {

namespace {

const char* kFormat = "shufflelab-train-state-1";

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

// Looks up a metadata key; throws naming the file when it is absent or not a number.
struct MetaReader {
  std::string path;
  std::map<std::string, std::string> kv;
  const std::string& str(const std::string& k) const {
    auto it = kv.find(k);
    SL_CHECK(it != kv.end(), path, ": the checkpoint metadata has no '", k,
             "' (written by another version of shufflelab?)");
    return it->second;
  }
  double real(const std::string& k) const {
    const std::string& s = str(k);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    SL_CHECK(end && *end == '\0' && !s.empty(), path, ": metadata '", k, "' = '", s, "' is not a number");
    return v;
  }
  float real32(const std::string& k) const { return std::strtof(str(k).c_str(), nullptr); }
  int64_t integer(const std::string& k) const {
    const std::string& s = str(k);
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    SL_CHECK(end && *end == '\0' && !s.empty(), path, ": metadata '", k, "' = '", s, "' is not an integer");
    return (int64_t)v;
  }
};

MetaReader meta_of(const std::string& path, const Metadata& md) {
  MetaReader r{path, {}};
  for (auto& [k, v] : md) r.kv[k] = v;
  return r;
}

}  // namespace

std::string checkpoint_weights_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "last.safetensors").string();
}
std::string checkpoint_state_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "last.state.safetensors").string();
}

// [SECTION] save

void save_checkpoint(const std::string& out_dir, const Module& model, const Sgd& opt, const TrainConfig& cfg,
                     const TrainState& st) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  SL_CHECK(!ec, "cannot create the output folder ", out_dir, ": ", ec.message());
  const std::string step_id = str_cat(st.epoch, ":", st.step);
  save_weights(model, checkpoint_weights_path(out_dir),
               {{"format", "pt"}, {"model", cfg.model}, {"epoch", num(st.epoch)}, {"position", step_id}});
  const Metadata md = {
      {"format", kFormat},
      {"position", step_id},
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
      {"data_rng", "order and augmentation of epoch e, batch b drawn from mix_seed(seed, e, b)"},
  };
  safetensors_write(checkpoint_state_path(out_dir), opt.state_dict(), md);
}

// [SECTION] load

CheckpointInfo read_checkpoint_info(const std::string& out_dir) {
  const std::string path = checkpoint_state_path(out_dir);
  std::error_code ec;
  SL_CHECK(std::filesystem::is_regular_file(path, ec), "no checkpoint to resume in ", out_dir, ": ", path,
           " is missing (--resume takes the --out folder of an earlier run)");
  const SafetensorsFile f = safetensors_read(path);
  const MetaReader m = meta_of(path, f.metadata);
  SL_CHECK(m.str("format") == kFormat, path, ": format '", m.str("format"), "' is not ", kFormat);
  CheckpointInfo info;
  TrainConfig& c = info.cfg;
  auto dd = m.kv.find("data_dir");
  c.data_dir = dd == m.kv.end() ? "" : dd->second;
  c.out_dir = out_dir;
  c.model = m.str("model");
  c.epochs = m.integer("epochs");
  c.batch = m.integer("batch");
  c.lr = m.real32("lr");
  c.momentum = m.real32("momentum");
  c.weight_decay = m.real32("weight_decay");
  c.nesterov = m.str("nesterov") == "1";
  c.label_smoothing = m.real32("label_smoothing");
  c.schedule = m.str("schedule");
  c.seed = std::strtoull(m.str("seed").c_str(), nullptr, 10);
  c.limit_train = m.integer("limit_train");
  c.limit_test = m.integer("limit_test");
  c.eval_batch = m.integer("eval_batch");
  c.resume = true;
  TrainState& s = info.state;
  s.epoch = m.integer("epoch");
  s.step = m.integer("step");
  s.loss_sum = m.real("loss_sum");
  s.correct = m.integer("correct");
  s.seen = m.integer("seen");
  s.step_s = m.real("step_s");
  s.elapsed_s = m.real("elapsed_s");
  s.lr = m.real32("last_lr");
  return info;
}

void load_checkpoint(const std::string& out_dir, Module& model, Sgd& opt) {
  const std::string wpath = checkpoint_weights_path(out_dir), spath = checkpoint_state_path(out_dir);
  const SafetensorsFile w = safetensors_read(wpath);
  const SafetensorsFile s = safetensors_read(spath);
  const std::string wpos = meta_of(wpath, w.metadata).str("position");
  const std::string spos = meta_of(spath, s.metadata).str("position");
  SL_CHECK(wpos == spos, "checkpoint files in ", out_dir, " disagree: the weights are from epoch:step ", wpos,
           " but the optimiser state from ", spos, " (interrupted while saving?); start a new run with --out");
  try {
    model.load_state_dict(w.tensors);
  } catch (const Error& e) {
    throw Error(str_cat(wpath, ": ", e.what()));
  }
  try {
    opt.load_state_dict(s.tensors);
  } catch (const Error& e) {
    throw Error(str_cat(spath, ": ", e.what()));
  }
}

}  // namespace sl
