// tests/nn/test_train_faults.cpp - "never lose a run": non-finite weights are never saved
// or loaded, a new run never replaces an old one silently, every field of a checkpoint's
// state is validated (a property test mutates each one), a crash or a failed write at
// every step of a save leaves a run that resumes to the uninterrupted result, and SIGTERM
// saves like Ctrl-C. Crashes are real: the `shufflelab` child is killed by SIGKILL at
// the step named in SHUFFLELAB_FAULT (nn/safetensors.h, fault_point).
// Not here: the resume and divergence basics (test_train_loop.cpp).
#include <signal.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "nn/train.h"
#include "tests/apps/run_cli.h"
#include "tests/helpers.h"
#include "tests/nn/train_fixtures.h"

using namespace sl;
using namespace sl::test;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// metrics.jsonl without the two timing keys, which differ between runs.
std::string metrics_without_timing(const std::string& text) {
  std::string out, line;
  std::istringstream in(text);
  while (std::getline(in, line)) out += line.substr(0, line.find(", \"img_per_s\"")) + "\n";
  return out;
}

// The three files of a run, byte for byte ("" for a missing one).
std::string run_files(const std::string& out) {
  return slurp(checkpoint_state_path(out)) + "|" + slurp(checkpoint_weights_path(out)) + "|" +
         slurp(checkpoint_metrics_path(out));
}

TrainConfig tiny(const std::string& data, const std::string& out) {
  TrainConfig c;
  c.model = "v2-0.5";
  c.data_dir = data;
  c.out_dir = out;
  c.epochs = 2;
  c.batch = kTinyBatch;
  c.lr = 0.05f;
  c.seed = 3;
  c.limit_test = kTinyTest;
  c.eval_batch = 16;
  return c;
}

// Hooks that stop the run after global step `at` (a mid-epoch checkpoint).
struct StopAt {
  std::atomic<bool> stop{false};
  TrainHooks hooks;
  explicit StopAt(int64_t at) {
    hooks.stop = &stop;
    hooks.on_step = [this, at](const StepProgress& p) { stop = p.global_step >= at; };
  }
};

}  // namespace

TEST_CASE(
    "defect 1: NaN/Inf weights are never saved, and eval/load refuse them naming the tensor") {
  TempDir tmp("nonfinite");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  TrainConfig c = tiny(data, tmp / "run");
  c.epochs = 1;
  train(c);
  const std::string before = run_files(c.out_dir);

  // A poisoned model: save_checkpoint refuses before writing anything.
  auto m = make_model("v2-0.5", "cifar", 10, 0);
  Sgd opt(m->named_parameters(), {});
  m->named_parameters()[3].second.data()[5] = NAN;
  TrainState at_1;
  at_1.epoch = 1;
  const std::string msg = error_of([&] { save_checkpoint(c.out_dir, *m, opt, c, at_1); });
  CHECK(msg.find("not saving a checkpoint") != std::string::npos);
  CHECK(msg.find("'" + m->named_parameters()[3].first + "' holds 1 NaN/Inf values") !=
        std::string::npos);
  CHECK(run_files(c.out_dir) == before);

  // load_weights (eval's path) refuses it, naming the file and the tensor.
  const std::string bad = tmp / "nan.safetensors";
  save_weights(*m, bad);
  auto m2 = make_model("v2-0.5", "cifar", 10, 1);
  CHECK(error_of([&] {
          load_weights(*m2, bad);
        }).find("'" + m->named_parameters()[3].first + "'") != std::string::npos);
  const Run r = run_cli("eval --model v2-0.5 --weights " + bad + " --data " + data);
  CHECK(r.code == 1);
  CHECK(has(r.out, "NaN/Inf values"));
  CHECK_FALSE(has(r.out, "test accuracy"));

  // The case: a huge --lr whose loss stays finite while weights blow up. Whatever
  // the run ends with, every file it leaves holds finite weights only.
#ifdef SL_SANITIZED
  const std::string epochs = "3";
#else
  const std::string epochs = "6";
#endif
  const Run big = run_cli("train --model v2-0.5 --data " + data + " --batch 8 --epochs " + epochs +
                          " --lr 1e6 --threads 2 --out " + tmp / "big");
  MESSAGE("train --lr 1e6 exit ", big.code);
  if (std::filesystem::exists(checkpoint_weights_path(tmp / "big"))) {
    CHECK(first_non_finite(safetensors_read(checkpoint_weights_path(tmp / "big")).tensors) == "");
    CHECK(first_non_finite(safetensors_read(checkpoint_state_path(tmp / "big")).tensors) == "");
  }
  if (big.code != 0) CHECK(has(big.out, "training diverged"));
}

TEST_CASE("defect 2: a new run refuses a folder holding a run; --overwrite replaces it only at its "
          "first save") {
  TempDir tmp("rerun");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  TrainConfig c = tiny(data, tmp / "run");
  c.epochs = 1;
  train(c);
  const std::string before = run_files(c.out_dir);

  const std::string msg = error_of([&] { train(c); });
  CHECK(msg.find("already holds a v2-0.5 run at epoch 1 of 1") != std::string::npos);
  CHECK(msg.find("--resume " + c.out_dir) != std::string::npos);
  CHECK(msg.find("--overwrite") != std::string::npos);
  CHECK_THROWS_AS(train(c), UsageError);
  CHECK(run_files(c.out_dir) == before);

  // --overwrite, but the new run diverges before its first save: the old run is untouched.
  TrainConfig o = c;
  o.overwrite = true;
  o.lr = 1e30f;
  CHECK(error_of([&] { train(o); }).find("keeps the earlier run, untouched") != std::string::npos);
  CHECK(run_files(c.out_dir) == before);

  // --overwrite stopped mid-epoch 1: the new run's checkpoint and an empty metrics file.
  o.lr = 0.05f;
  o.seed = 4;
  StopAt s(1);
  CHECK(train(o, s.hooks).status == TrainStatus::interrupted);
  CHECK(read_checkpoint_info(c.out_dir).cfg.seed == 4);
  CHECK(slurp(checkpoint_metrics_path(c.out_dir)).empty());

  // The command line says the same, with exit 2.
  const Run r =
      run_cli("train --model v2-0.5 --epochs 1 --batch 8 --data " + data + " --out " + c.out_dir);
  CHECK(r.code == 2);
  CHECK(has(r.out, "--overwrite"));
  CHECK(has(run_cli("train --help").out, "--overwrite"));
}

TEST_CASE("defect 3: property test - every metadata field of a checkpoint, mutated, loads cleanly "
          "or is refused") {
  TempDir tmp("mutate");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);  // 40 images, 5 steps of 8 per epoch
  TrainConfig c = tiny(data, tmp / "run");
  StopAt first(kTinySteps + 1);  // epoch 2, step 1: every field holds a non-trivial value
  REQUIRE(train(c, first.hooks).status == TrainStatus::interrupted);
  const SafetensorsFile pristine = safetensors_read(checkpoint_state_path(c.out_dir));
  REQUIRE(pristine.metadata.size() >= 20);

  // The three cases, by name.
  auto with = [&](const std::string& key, const std::string* value) {
    Metadata md;
    for (auto& [k, v] : pristine.metadata)
      if (k != key)
        md.emplace_back(k, v);
      else if (value)
        md.emplace_back(k, *value);
    safetensors_write(checkpoint_state_path(c.out_dir), pristine.tensors, md);
  };
  TrainConfig r = c;
  r.resume = true;
  auto refusal = [&](const std::string& key, const std::string& value) {
    with(key, &value);
    StopAt s(1);
    return error_of([&] { train(r, s.hooks); });
  };
  CHECK(refusal("step", "-1").find("metadata 'step' = '-1' is out of range") != std::string::npos);
  CHECK(refusal("epoch", "-5").find("metadata 'epoch' = '-5' is out of range") !=
        std::string::npos);
  CHECK_MESSAGE(refusal("step", "999999").find("'step'") != std::string::npos,
                refusal("step", "999999"));
  CHECK(refusal("seen", "3").find("'seen'") != std::string::npos);
  CHECK(refusal("position", "0:0").find("'position'") != std::string::npos);
  CHECK(refusal("metrics", "").find("'metrics'") != std::string::npos);

  // Random and edge-case values for every field (and the field removed).
  const std::vector<std::string> edge = {"",
                                         "-1",
                                         "0",
                                         "1",
                                         "2",
                                         "5",
                                         "-5",
                                         "7",
                                         "999999",
                                         "9223372036854775807",
                                         "-9223372036854775808",
                                         "99999999999999999999999",
                                         "nan",
                                         "inf",
                                         "-inf",
                                         "1e308",
                                         "1e-320",
                                         "0.5",
                                         "-0.0",
                                         " 1",
                                         "1 ",
                                         "0x10",
                                         "abc",
                                         "2:2",
                                         "1:0",
                                         "{\"epoch\": 1, }\n",
                                         "\n\n",
                                         std::string("\0\x01\xff", 3)};
  Generator g(2026);
  int accepted = 0, refused = 0;
#ifdef SL_SANITIZED
  const size_t edges = 1, bytes = 1;  // ASan/UBSan: a smaller sample keeps the suite fast
#else
  const size_t edges = 6, bytes = 3;
#endif
  for (const auto& field : pristine.metadata) {
    const std::string key = field.first,
                      original = field.second;  // (clang: no bindings in CAPTURE)
    std::vector<std::string> values;
    for (size_t i = 0; i < edges; ++i) values.push_back(edge[g.next_u64() % edge.size()]);
    for (size_t i = 0; i < bytes; ++i) {  // the original with one byte changed, dropped or added
      std::string v = original;
      const size_t at = v.empty() ? 0 : g.next_u64() % v.size();
      const char ch = "0123456789-.:e{}\"\n"[g.next_u64() % 18];
      switch (g.next_u64() % 3) {
        case 0:
          if (!v.empty()) v[at] = ch;
          break;
        case 1:
          if (!v.empty()) v.erase(at, 1);
          break;
        default: v.insert(at, 1, ch);
      }
      values.push_back(v);
    }
    for (int drop = 0; drop < 2; ++drop) {
      for (const std::string& v : values) {
        CAPTURE(key);
        CAPTURE(v);
        with(key, drop ? nullptr : &v);
        try {
#ifdef SL_SANITIZED
          // What resuming does up to the first step (the loader placed at the saved position
          // included), without the step's ~1 s under the sanitizers.
          const CheckpointInfo info = read_checkpoint_info(c.out_dir);
          const Cifar10 set = cifar10_load(data, true, info.cfg.limit_train);
          check_checkpoint_position(info, set.size(), c.out_dir);
          auto model = make_model(info.cfg.model, "cifar", 10, 0);
          Sgd sgd(model->named_parameters(),
                  {.momentum = info.cfg.momentum, .nesterov = info.cfg.nesterov});
          load_checkpoint(c.out_dir, *model, sgd);
          BatchLoader loader(
              set,
              {.batch = info.cfg.batch, .shuffle = true, .augment = true, .seed = info.cfg.seed});
          loader.start_epoch(info.state.epoch, info.state.step);
          Batch b;
          loader.next(b);
          ++accepted;
#else
          StopAt s(1);
          train(r, s.hooks);
          ++accepted;  // then it trained a step and saved: a valid checkpoint again
          CHECK_NOTHROW(read_checkpoint_info(c.out_dir));
#endif
        } catch (const Error& e) {
          ++refused;
          const std::string m = e.what();
          CHECK_FALSE(m.empty());
        } catch (const std::exception& e) {
          FAIL("not an sl::Error: ", e.what());
        }
        if (drop) break;
      }
    }
  }
  MESSAGE("checkpoint mutations: ", accepted, " loaded, ", refused, " refused with an error");
  CHECK(refused > accepted);
}

TEST_CASE("defects 4 and 6: a crash or a failed write at every step of a save loses nothing") {
  TempDir tmp("faults");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  const std::string args = "train --model v2-0.5 --data " + data +
                           " --epochs 2 --batch 8 --lr 0.05 --seed 3 --threads 2 --out ";
  const std::string ref = tmp / "ref";
  REQUIRE(run_cli(args + ref).code == 0);
  const std::string ref_metrics = metrics_without_timing(slurp(checkpoint_metrics_path(ref)));
  const std::string ref_weights = slurp(checkpoint_weights_path(ref));
  REQUIRE(!ref_weights.empty());

  struct Point {
    const char* action;
    const char* step;
    const char* file;
    int nth;
  };
  std::vector<Point> points;
  for (const char* file : {"last.state.safetensors", "last.safetensors", "metrics.jsonl"})
    for (const char* step : {"write", "fsync", "rename"})
      for (const char* action : {"kill", "fail"})
        points.push_back({action, step, file, 2});              // epoch 2's save
  points.push_back({"kill", "rename", "last.safetensors", 1});  // the very first save
#ifdef SL_SANITIZED
  points = {{"kill", "write", "last.safetensors", 2}};  // between the state's rename and the copies
#endif
  int i = 0;
  for (const Point& p : points) {
    const std::string fault = str_cat(p.action, ":", p.step, ":", p.file, ":", p.nth);
    CAPTURE(fault);
    const std::string out = tmp / str_cat("run", i++);
    const Run r = run_cli(args + out, true, "SHUFFLELAB_FAULT=" + fault);
    if (std::string(p.action) == "kill") {
      CHECK(has(r.out, "SHUFFLELAB_FAULT: killing the process"));
      CHECK(r.code != 0);
    } else {
      CHECK(r.code == 1);
      CHECK(has(r.out, "No space left on device"));
    }
    if (std::string(p.action) == "fail")
      CHECK_FALSE(std::filesystem::exists(out + "/" + p.file + ".tmp"));
    // eval works on what is there after the epoch-2 save was cut (epoch 1's weights or 2's)
    if (p.nth == 2)
      CHECK(run_cli("eval --model v2-0.5 --weights " + checkpoint_weights_path(out) + " --data " +
                    data + " --threads 2")
                .code == 0);
    // and resume finishes the run exactly as the uninterrupted one, metrics included.
    const Run resumed = run_cli("train --resume " + out + " --threads 2");
    CHECK(resumed.code == 0);
    CHECK(slurp(checkpoint_weights_path(out)) == ref_weights);
    CHECK(metrics_without_timing(slurp(checkpoint_metrics_path(out))) == ref_metrics);
  }
}

TEST_CASE("defect 6: a failed save during a resumed run keeps every earlier metrics line") {
  TempDir tmp("metrics");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  TrainConfig c = tiny(data, tmp / "run");
  c.epochs = 3;
  StopAt s(2 * kTinySteps + 1);  // one step into epoch 3
  REQUIRE(train(c, s.hooks).status == TrainStatus::interrupted);
  const std::string two_epochs = slurp(checkpoint_metrics_path(c.out_dir));
  REQUIRE(metrics_without_timing(two_epochs).find("\"epoch\": 2") != std::string::npos);
  // The resumed session's saves all fail, as on a full disk.
  ::setenv("SHUFFLELAB_FAULT", "fail:write:last.state.safetensors:1", 1);
  c.resume = true;
  const std::string msg = error_of([&] { train(c); });
  ::unsetenv("SHUFFLELAB_FAULT");
  CHECK(msg.find("No space left on device") != std::string::npos);
  CHECK(slurp(checkpoint_metrics_path(c.out_dir)) == two_epochs);
  CHECK(train(c).history.size() == 1);
  CHECK(metrics_without_timing(slurp(checkpoint_metrics_path(c.out_dir))).find("\"epoch\": 3") !=
        std::string::npos);

  // The real cause is reported: a folder in the way of a file names it.
  std::filesystem::remove(checkpoint_metrics_path(c.out_dir));
  std::filesystem::create_directories(checkpoint_metrics_path(c.out_dir));
  CHECK(error_of([&] {
          write_file_atomic(checkpoint_metrics_path(c.out_dir), {});
        }).find("is a directory") != std::string::npos);
  CHECK(error_of([&] {
          write_file_atomic(tmp / "no/such/folder/x", {});
        }).find("No such file or directory") != std::string::npos);
}

TEST_CASE("SIGTERM (timeout, job schedulers) saves a checkpoint and exits 143, like Ctrl-C") {
  TempDir tmp("sigterm");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  const std::string out = tmp / "run";
  const std::string script = std::string(SL_SHUFFLELAB_BIN) + " train --model v2-0.5 --data " +
                             data + " --epochs 100000 --batch 8 --threads 2 --out " + out + " > " +
                             tmp / "log" +
                             " 2>&1 & pid=$!; "
                             "i=0; while [ ! -f " +
                             checkpoint_state_path(out) +
                             " ] && [ $i -lt 1200 ]; "
                             "do sleep 0.05; i=$((i+1)); done; "
                             "kill -TERM $pid; wait $pid; exit $?";
  const int status = std::system(("sh -c '" + script + "'").c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  const std::string log = slurp(tmp / "log");
  CHECK(log.find("SIGTERM: finishing this step and saving a checkpoint") != std::string::npos);
  CHECK(log.find("continue with: shufflelab train --resume " + out) != std::string::npos);
  const CheckpointInfo info = read_checkpoint_info(out);
  CHECK(info.state.epoch >= 1);
  auto m = make_model("v2-0.5", "cifar", 10, 0);
  Sgd opt(m->named_parameters(), {});
  CHECK_NOTHROW(load_checkpoint(out, *m, opt));
}
