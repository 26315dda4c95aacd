// apps/cmd_eval.cpp - `shufflelab eval`: loads weights (a weights file, a run folder or
// its last.state.safetensors checkpoint) into a model and reports its accuracy on the
// CIFAR-10 test set; --logits writes the raw outputs (little-endian
// float32, N x classes, in test-file order) for comparison with other tools; --json
// prints {"model", "n", "test_acc"}. Weights with NaN/Inf values are refused, and so is a
// --logits path that names an input. On the CPU it runs the inference plan, on CUDA the
// model's own forward. Not here: the evaluation itself (nn/infer.h, nn/train.h).
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/infer.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "nn/train.h"

using namespace sl;

int cmd_eval(int argc, char** argv) {
  cli::Flags f("eval", argc, argv,
               {{"model", true,
                 "the architecture of the weights: v2-0.5, v1-g3-1.0, ... (required for a plain "
                 "weights file; a run folder or checkpoint names its own)"},
                {"weights", true,
                 "a safetensors file with the model's keys, a run folder (OUT of `train`) or its "
                 "checkpoint OUT/last.state.safetensors (required)"},
                {"data", true,
                 "CIFAR-10 folder (default: $SHUFFLELAB_DATA, else data/cifar-10-batches-bin)"},
                {"limit-test", true,
                 "evaluate the first N test images only (N >= 1; as in `train`)"},
                {"limit", true, "the older name of --limit-test"},
                {"batch", true, "images per forward pass (default 64 on the CPU, 500 on CUDA)"},
                {"logits", true,
                 "also write the raw logits, little-endian float32 N x classes, to this file"},
                {"threads", true, "CPU threads (default: all cores)"},
                cli::device_flag_spec(),
                {"json", false, "print {\"model\", \"n\", \"test_acc\"} as JSON"}});
  if (f.help()) {
    std::printf(
        "%s",
        f.usage("--weights FILE|OUT [--model M] [--data DIR] [--limit-test N] [--logits FILE]\n"
                "       [--device D] [--json]",
                "Test-set accuracy of a weights file (for example OUT/last.safetensors from\n"
                "`shufflelab train`), of a run folder OUT or of its OUT/last.state.safetensors\n"
                "checkpoint. Images are normalised as in training, without augmentation.")
            .c_str());
    return 0;
  }
  SL_CHECK_USAGE(f.has("weights"),
                 "--weights is required (for example --weights runs/v2-0.5/last.safetensors, "
                 "or the run folder runs/v2-0.5)");
  // A run folder or checkpoint knows its architecture; a plain weights file does not.
  const std::string trained_as = checkpoint_model(f.str("weights"));
  SL_CHECK_USAGE(f.has("model") || !trained_as.empty(),
                 "--model is required for a plain weights file (for example --model v2-0.5)");
  SL_CHECK_USAGE(!f.has("model") || trained_as.empty() || f.str("model") == trained_as, "--model ",
                 f.str("model"), " differs from the ", trained_as, " that ", f.str("weights"),
                 " was trained as; leave --model out");
  if (f.has("threads")) {
    const int64_t t = f.integer("threads", 0);
    SL_CHECK_USAGE(t >= 1 && t <= 1024, "--threads must be between 1 and 1024, got ", t);
    omp_set_num_threads((int)t);
  }
  SL_CHECK_USAGE(!(f.has("limit") && f.has("limit-test")),
                 "--limit is the older name of --limit-test; give one");
  const int64_t limit = f.integer_in(f.has("limit") ? "limit" : "limit-test", -1, 1, INT64_MAX);
  const int64_t batch_flag = f.integer_in("batch", -1, 1, 1 << 20);  // -1: the device's default
  const std::string name = f.has("model") ? f.str("model") : trained_as;
  if (f.has("logits")) {  // the output must not be an input
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string out = f.str("logits");
    SL_CHECK_USAGE(!fs::exists(out, ec) || !fs::equivalent(out, f.str("weights"), ec), "--logits ",
                   out, " is the weights file; it would be overwritten. Name another file");
    SL_CHECK_USAGE(!fs::is_directory(out, ec), "--logits ", out, " is a directory; name a file");
    const std::string test_file =
        (fs::path(cifar10_find_dir(f.str("data"))) / "test_batch.bin").string();
    SL_CHECK_USAGE(!fs::exists(out, ec) || !fs::equivalent(out, test_file, ec), "--logits ", out,
                   " is the CIFAR-10 test file; it would be overwritten. Name another file");
  }

  const Device device = cli::device_flag(f, "eval");  // exit 1 naming why it is unusable
  // The CPU's plan is fastest at a batch whose buffers stay in cache (v2-0.5, 2 threads, the
  // 10,000 test images: ~4 s at 64 against ~7 s at 500); a GPU wants large batches.
  const int64_t batch = batch_flag > 0 ? batch_flag : device == Device::cpu ? 64 : 500;
  std::unique_ptr<Module> model = make_model(name, "cifar", kCifarClasses, 0);
  load_model_weights(*model, f.str("weights"));
  model->to(device);  // evaluate() sends each batch to the model's device
  const Cifar10 test = cifar10_load(cifar10_find_dir(f.str("data")), false, limit);
  std::vector<float> logits;
  std::vector<float>* keep = f.has("logits") ? &logits : nullptr;
  // The CPU runs the inference plan (nn/infer.h: BatchNorm folded, no autograd, buffers
  // planned once); the plan is CPU-only, so CUDA runs the model's own eval-mode forward.
  const double acc = evaluate(*model, test, batch, keep);

  if (f.has("logits")) {
    write_file_atomic(f.str("logits"), std::span(reinterpret_cast<const uint8_t*>(logits.data()),
                                                 logits.size() * sizeof(float)));
  }
  if (f.has("json")) {
    cli::Json j;
    j.begin_object()
        .key("model")
        .value(name)
        .key("n")
        .value(test.size())
        .key("test_acc")
        .value(acc)
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("%s: test accuracy %s on %lld test images (weights %s)\n", name.c_str(),
                accuracy_str(acc).c_str(), (long long)test.size(), f.str("weights").c_str());
    if (f.has("logits"))
      std::printf("logits: %s, %lld x %d float32 little-endian\n", f.str("logits").c_str(),
                  (long long)test.size(), kCifarClasses);
  }
  return 0;
}
