// tests/nn/test_train_cli.cpp - `shufflelab train` and `eval` as a newcomer meets them:
// what the lines say (running training accuracy, chance level, "1 epoch", the final line
// with the test accuracy and the weights' path), one --limit-test flag for both commands
// (eval's --limit kept as an alias), and the smaller refusals of issue 9: -1 is not "all",
// an output that is an input, a directory or device where a file belongs.
// Not here: checkpoints and faults (test_train_faults.cpp).
#include <filesystem>
#include <fstream>

#include "nn/train.h"
#include "tests/apps/run_cli.h"
#include "tests/nn/train_fixtures.h"

using namespace sl;
using namespace sl::test;

TEST_CASE("accuracy_str names chance level when an accuracy is near it") {
  CHECK(accuracy_str(0.4321) == "43.21%");
  CHECK(accuracy_str(0.112) == "11.20% (chance level: 10% for 10 classes)");
  CHECK(accuracy_str(0.0) == "0.00% (chance level: 10% for 10 classes)");
}

TEST_CASE("train and eval: the lines a newcomer reads, and one --limit-test for both") {
  TempDir tmp("cli");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  const std::string out = tmp / "run";
  const Run r = run_cli("train --model v2-0.5 --data " + data +
                            " --epochs 1 --batch 8 --limit-test 3 --threads 2 "
                            "--out " +
                            out,
                        false);
  REQUIRE(r.code == 0);
  CHECK(has(r.out, ": 1 epoch, batch 8"));
  CHECK_FALSE(has(r.out, "1 epochs"));
  CHECK(has(r.out, "running train acc"));
  CHECK(has(r.out, "done: test accuracy "));
  CHECK(has(r.out, "on the first 3 test images after 1 epoch; weights in " +
                       checkpoint_weights_path(out)));

  const std::string weights = checkpoint_weights_path(out);
  const std::string eval =
      "eval --model v2-0.5 --weights " + weights + " --data " + data + " --threads 2 ";
  const Run a = run_cli(eval + "--limit-test 3 --json", false);
  const Run b = run_cli(eval + "--limit 3 --json", false);
  CHECK(a.code == 0);
  CHECK(has(a.out, "\"n\":3"));
  CHECK(a.out == b.out);
  CHECK(run_cli(eval + "--limit 3 --limit-test 3").code == 2);
  CHECK(has(run_cli("eval --help").out, "--limit-test"));

  // metrics.jsonl keeps the keys of docs/commands.md
  std::ifstream mf(checkpoint_metrics_path(out));
  std::string line;
  REQUIRE(std::getline(mf, line));
  for (const char* key :
       {"epoch", "train_loss", "train_acc", "test_acc", "lr", "img_per_s", "elapsed_s"})
    CHECK(has(line, std::string("\"") + key + "\": "));
}

TEST_CASE("issue 9, smaller cases: -1, outputs that are inputs, directories and devices") {
  TempDir tmp("cli9");
  const std::string data = tmp / "data";
  write_cifar_dir(data, kTinyPerFile, kTinyTest, true);
  const std::string out = tmp / "run";
  REQUIRE(run_cli("train --model v2-0.5 --data " + data +
                  " --epochs 1 --batch 8 --threads 2 --out " + out)
              .code == 0);
  const std::string weights = checkpoint_weights_path(out);
  const std::string eval = "eval --model v2-0.5 --data " + data + " --threads 2 ";

  // -1 is refused, not taken as "all"
  Run r = run_cli("train --model v2-0.5 --data " + data + " --epochs 1 --limit-train -1 --out " +
                  tmp / "x");
  CHECK(r.code == 2);
  CHECK(has(r.out, "--limit-train must be between 2 and"));
  CHECK(run_cli(eval + "--weights " + weights + " --limit -1").code == 2);
  CHECK(run_cli(eval + "--weights " + weights + " --limit-test -1").code == 2);
  CHECK(run_cli("train --model v2-0.5 --epochs 1 --lr 1e999 --data " + data).code == 2);

  // --logits naming the weights file (or the test data) is refused, and nothing is overwritten
  const auto size = std::filesystem::file_size(weights);
  r = run_cli(eval + "--weights " + weights + " --logits " + weights);
  CHECK(r.code == 2);
  CHECK(has(r.out, "is the weights file"));
  CHECK(std::filesystem::file_size(weights) == size);
  CHECK(run_cli(eval + "--weights " + weights + " --logits " + data + "/test_batch.bin").code == 2);

  // a run folder is evaluated (issue 13); a directory without a run, or a device, is refused
  CHECK(run_cli(eval + "--weights " + out).code == 0);
  const std::string empty = tmp / "empty";
  std::filesystem::create_directories(empty);
  r = run_cli(eval + "--weights " + empty);
  CHECK(r.code == 1);
  CHECK(has(r.out, "'" + empty + "' is a directory"));
  CHECK_FALSE(has(r.out, "basic_filebuf"));
  r = run_cli(eval + "--weights /dev/zero");
  CHECK(r.code == 1);
  CHECK(has(r.out, "'/dev/zero' is not a regular file"));
  CHECK_FALSE(has(r.out, "bad_alloc"));

  // a directory where a batch file belongs is named as such, not "missing"
  const std::string odd = tmp / "odd";
  write_cifar_dir(odd, 1, 1);
  std::filesystem::remove(odd + "/data_batch_1.bin");
  std::filesystem::create_directories(odd + "/data_batch_1.bin");
  r = run_cli("train --model v2-0.5 --epochs 1 --data " + odd + " --out " + tmp / "y");
  CHECK(r.code == 1);
  CHECK(has(r.out, odd + "/data_batch_1.bin is a directory, not a file"));
}
