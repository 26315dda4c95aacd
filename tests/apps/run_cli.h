// tests/apps/run_cli.h - runs the real `shufflelab` executable as a user would and
// captures its exit code and output; shared by the CLI test files. Not a shell: the
// arguments go through /bin/sh as written.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "tests/helpers.h"

namespace sl::test {

struct Run {
  int code;
  std::string out;
};

// `ENV shufflelab ARGS`: stdout, plus stderr when merge is true. ENV is "" or assignments
// such as "SHUFFLELAB_FAULT=kill:write:metrics.jsonl".
inline Run run_cli(const std::string& args, bool merge = true, const std::string& env = "") {
  std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(SL_SHUFFLELAB_BIN) + " " +
                    args + (merge ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace sl::test
