// apps/cmd_eval.cpp - `shufflelab eval`: loads a weights file into a model and reports
// its accuracy on the CIFAR-10 test set; --logits writes the raw outputs (little-endian
// float32, N x classes, in test-file order) for comparison with other tools; --json
// prints {"model", "n", "test_acc"}. Not here: the evaluation itself (nn/train.h).
#include <omp.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "nn/train.h"

using namespace sl;

int cmd_eval(int argc, char** argv) {
  cli::Flags f("eval", argc, argv,
               {{"model", true, "the architecture of the weights: v2-0.5, v1-g3-1.0, ... (required)"},
                {"weights", true, "a safetensors file with the model's keys (required)"},
                {"data", true, "CIFAR-10 folder (default: $SHUFFLELAB_DATA, else data/cifar-10-batches-bin)"},
                {"limit", true, "evaluate the first N test images only"},
                {"batch", true, "images per forward pass (default 500)"},
                {"logits", true, "also write the raw logits, little-endian float32 N x classes, to this file"},
                {"threads", true, "CPU threads (default: all cores)"},
                {"json", false, "print {\"model\", \"n\", \"test_acc\"} as JSON"}});
  if (f.help()) {
    std::printf("%s", f.usage("--model M --weights FILE [--data DIR] [--limit N] [--logits FILE] [--json]",
                              "Test-set accuracy of a weights file (for example OUT/last.safetensors from\n"
                              "`shufflelab train`). Images are normalised as in training, without augmentation.")
                          .c_str());
    return 0;
  }
  SL_CHECK_USAGE(f.has("model"), "--model is required (for example --model v2-0.5)");
  SL_CHECK_USAGE(f.has("weights"), "--weights is required (for example --weights runs/v2-0.5/last.safetensors)");
  if (f.has("threads")) {
    const int64_t t = f.integer("threads", 0);
    SL_CHECK_USAGE(t >= 1 && t <= 1024, "--threads must be between 1 and 1024, got ", t);
    omp_set_num_threads((int)t);
  }
  const int64_t limit = f.integer("limit", -1), batch = f.integer("batch", 500);
  SL_CHECK_USAGE(limit == -1 || limit >= 1, "--limit must be at least 1, got ", limit);
  SL_CHECK_USAGE(batch >= 1, "--batch must be at least 1, got ", batch);
  const std::string name = f.str("model");

  std::unique_ptr<Module> model = make_model(name, "cifar", kCifarClasses, 0);
  load_weights(*model, f.str("weights"));
  const Cifar10 test = cifar10_load(cifar10_find_dir(f.str("data")), false, limit);
  std::vector<float> logits;
  const double acc = evaluate(*model, test, batch, f.has("logits") ? &logits : nullptr);

  if (f.has("logits")) {
    const std::string path = f.str("logits");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    SL_CHECK(out.good(), "cannot write logits to ", path);
    out.write(reinterpret_cast<const char*>(logits.data()), (std::streamsize)(logits.size() * sizeof(float)));
    SL_CHECK(out.good(), "cannot write logits to ", path, " (disk full?)");
  }
  if (f.has("json")) {
    cli::Json j;
    j.begin_object().key("model").value(name).key("n").value(test.size()).key("test_acc").value(acc).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("%s: test accuracy %.2f%% on %lld images (weights %s)\n", name.c_str(), 100 * acc,
                (long long)test.size(), f.str("weights").c_str());
    if (f.has("logits"))
      std::printf("logits: %s, %lld x %d float32 little-endian\n", f.str("logits").c_str(), (long long)test.size(),
                  kCifarClasses);
  }
  return 0;
}
