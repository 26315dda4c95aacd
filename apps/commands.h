// apps/commands.h - one entry point per `shufflelab` subcommand (apps/cmd_<name>.cpp).
// Each returns the process exit code: 0 success, 1 runtime error, 2 usage error, and
// may throw sl::Error / sl::UsageError, which main() prints. Not here: parsing helpers
// (apps/cli.h).
#pragma once

int cmd_shuffle(int argc, char** argv);
int cmd_profile(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_guidelines(int argc, char** argv);
int cmd_bench(int argc, char** argv);
#ifdef SL_HAVE_VIZ
int cmd_gui(int argc, char** argv);
#endif
