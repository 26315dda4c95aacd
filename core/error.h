// core/error.h - sl::Error and SL_CHECK: every failure in library code throws
// with a message that names the op and the offending shapes and, where it helps,
// says how to fix it. Library code never calls exit(); only main()s turn an
// Error into a message and an exit code. Not here: CUDA error checks (core/cuda/).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace sl {

struct Error : std::runtime_error {
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A usage error (bad flag, invalid model configuration): the CLI maps it to exit 2.
struct UsageError : Error {
  explicit UsageError(const std::string& what) : Error(what) {}
};

template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace sl

// SL_CHECK(cond, "conv2d: x is ", shape_str(x.shape()), " but ...");
#define SL_CHECK(cond, ...)                                     \
  do {                                                          \
    if (!(cond)) throw ::sl::Error(::sl::str_cat(__VA_ARGS__)); \
  } while (0)

#define SL_CHECK_USAGE(cond, ...)                                    \
  do {                                                               \
    if (!(cond)) throw ::sl::UsageError(::sl::str_cat(__VA_ARGS__)); \
  } while (0)
