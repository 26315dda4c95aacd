// apps/main.cpp - the `shufflelab` executable: picks the subcommand and turns errors
// into the exit codes of docs/commands.md (0 ok, 1 runtime error, 2 usage error),
// printed as one `error: ` line plus a `hint: ` line. Not here: any subcommand's work.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include "apps/commands.h"
#include "core/error.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
#ifdef SL_HAVE_VIZ
    {"gui", cmd_gui, "open the app (or render one panel to a PNG with --screenshot)"},
#endif
    {"shuffle", cmd_shuffle, "walk through channel shuffle step by step in the terminal"},
    {"profile", cmd_profile,
     "per-layer and per-block cost: params, MAdds, MAC (--time, --json, --csv)"},
    {"train", cmd_train,
     "train a ShuffleNet on CIFAR-10 (progress, metrics.jsonl, checkpoints, --resume)"},
    {"eval", cmd_eval, "test-set accuracy of a weights file (--logits, --json)"},
    {"guidelines", cmd_guidelines,
     "ShuffleNet V2's experiments G1-G4 on this machine, beside the paper's tables"},
    {"bench", cmd_bench,
     "training img/s, batch-1 latency, shuffle vs copy GB/s, FMA peak share, heap, RSS"},
};

void print_help() {
  std::printf("shufflelab - learn how ShuffleNet works and why it is fast\n\n"
              "usage: shufflelab <command> [flags]     (every command has --help)\n\ncommands:\n");
  for (const Command& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf("\nexit codes: 0 success, 1 runtime error, 2 usage error\n");
}

bool display_present() {
  const char* x = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (w && *w);
}

}  // namespace

int main(int argc, char** argv) {
  // Idle OpenMP threads spin a moment, then sleep: GOMP_SPINCOUNT=3000 (~30 us) with
  // OMP_WAIT_POLICY=passive. libgomp reads its environment before main, so set it and start
  // again once. Measured on the 2-core VM (`train --model v2-0.5 --batch 128`, 50 steps,
  // two rounds): sleeping at once ~400 img/s, this ~485, spinning (active) ~550; two runs
  // sharing the cores: ~285 + ~285 img/s with this or with sleeping at once, ~97 + ~97 with
  // a spin of 1 ms. Batch-1 inference: ~3.5 ms sleeping at once, ~0.45 ms this. A value the
  // user sets for either variable wins (README, "Speed against PyTorch").
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT") &&
      setenv("OMP_WAIT_POLICY", "passive", 0) == 0 && setenv("GOMP_SPINCOUNT", "3000", 0) == 0)
    execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
  if (argc < 2) {
#ifdef SL_HAVE_VIZ
    if (display_present()) {
      char gui[] = "gui";
      char* args[] = {gui, nullptr};
      try {
        return cmd_gui(1, args);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
      }
    }
#endif
    (void)display_present;
    print_help();
    return 0;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help();
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const sl::UsageError& e) {
      std::fprintf(stderr, "error: %s\nhint: run 'shufflelab %s --help'\n", e.what(), c.name);
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "error: unknown command '%s'\nhint: run 'shufflelab --help' for the list\n",
               name.c_str());
  return 2;
}
