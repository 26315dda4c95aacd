// apps/shuffle_flags.cpp - parses the example-picking flags of apps/shuffle_flags.h.
#include "apps/shuffle_flags.h"

#include <cstdio>

namespace sl::cli {

std::vector<FlagSpec> shuffle_shape_flags() {
  const ShuffleExample a;  // the article's example
  // str_cat, not "literal" + std::string: GCC 12 raises a false -Wrestrict on the latter.
  auto dflt = [](int64_t v) { return str_cat(" (default ", v, ")"); };
  return {{"shape", true,
           str_cat("x's shape NxCxHxW (default ", a.N, "x", a.C, "x", a.H, "x", a.W,
                   ", the article's example)")},
          {"batch", true, str_cat("N, samples", dflt(a.N))},
          {"channels", true, str_cat("C, channels", dflt(a.C))},
          {"height", true, str_cat("H", dflt(a.H))},
          {"width", true, str_cat("W", dflt(a.W))},
          {"groups", true, str_cat("G, groups; must divide C", dflt(a.G))}};
}

ShuffleExample read_shuffle_shape(const Flags& f, const char* command) {
  ShuffleExample s;
  if (f.has("shape")) {
    const std::string v = f.str("shape");
    long long n = 0, c = 0, h = 0, w = 0;
    char tail = 0;
    SL_CHECK_USAGE(std::sscanf(v.c_str(), "%lldx%lldx%lldx%lld%c", &n, &c, &h, &w, &tail) == 4,
                   command, ": --shape wants NxCxHxW, for example 2x4x2x2, got '", v, "'");
    s.N = n, s.C = c, s.H = h, s.W = w;
  }
  // A single-size flag may repeat --shape's number, never contradict it.
  auto size = [&](const char* name, int64_t& field) {
    if (!f.has(name)) return;
    const int64_t v = f.integer(name, field);
    SL_CHECK_USAGE(!f.has("shape") || v == field, command, ": --", name, " ", v,
                   " disagrees with --shape ", f.str("shape"));
    field = v;
  };
  size("batch", s.N);
  size("channels", s.C);
  size("height", s.H);
  size("width", s.W);
  s.G = f.integer("groups", s.G);
  SL_CHECK_USAGE(s.N >= 1 && s.C >= 1 && s.H >= 1 && s.W >= 1, command,
                 ": every size must be at least 1, got N = ", s.N, ", C = ", s.C, ", H = ", s.H,
                 ", W = ", s.W);
  SL_CHECK_USAGE(s.G >= 1, command, ": --groups must be at least 1, got ", s.G);
  SL_CHECK_USAGE(s.C % s.G == 0, command, ": channels C = ", s.C,
                 " is not divisible by groups g = ", s.G, " (g must divide C)");
  return s;
}

}  // namespace sl::cli
