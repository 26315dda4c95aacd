// apps/cli.h - the small flag parser and JSON writer every subcommand shares.
// Flags are `--name value` or `--name=value`; booleans are `--name`. Unknown flags,
// missing values and bad numbers throw sl::UsageError, which main() turns into exit 2.
// Also the one parser of --device. Not here: what any subcommand does (apps/cmd_*.cpp).
#pragma once
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/error.h"

namespace sl::cli {

struct FlagSpec {
  std::string name;  // without the leading "--"
  bool takes_value;
  std::string help;  // one line for --help
};

class Flags {
 public:
  // Parses argv[1..] (argv[0] is the subcommand name). --help is always accepted.
  Flags(std::string command, int argc, char** argv, std::vector<FlagSpec> specs);
  bool help() const { return has("help"); }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string str(const std::string& name, const std::string& fallback = "") const;
  // A whole number; out-of-range input ("99999999999999999999") is a usage error, never clamped.
  int64_t integer(const std::string& name, int64_t fallback) const;
  // The same, and it must lie in [lo, hi]; the fallback (flag absent) is returned unchecked.
  int64_t integer_in(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const;
  double number(const std::string& name, double fallback) const;
  // "usage: shufflelab CMD ..." plus one line per flag.
  std::string usage(const std::string& synopsis, const std::string& description) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string command_;
  std::vector<FlagSpec> specs_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// Minimal JSON writer: values are appended in order, commas handled for you.
class Json {
 public:
  Json& begin_object();
  Json& end_object();
  Json& begin_array();
  Json& end_array();
  Json& key(const std::string& k);
  Json& value(const std::string& v);
  Json& value(const char* v) { return value(std::string(v)); }
  Json& value(double v);
  Json& value(int64_t v);
  Json& value(int v) { return value((int64_t)v); }
  Json& value(bool v);
  Json& value(const std::vector<int64_t>& v);
  std::string str() const { return os_.str(); }

 private:
  void comma();
  std::ostringstream os_;
  std::vector<bool> first_{true};
  bool after_key_ = false;
};

std::string json_escape(const std::string& s);

// [SECTION] --device, the same for every command that runs a model
// The flag's line for a command's FlagSpec list: {"device", true, "cpu (default) or cuda"}.
FlagSpec device_flag_spec();
// The device --device names (cpu when absent). A value other than cpu or cuda is a usage
// error (exit 2); a device this build or machine cannot use is an sl::Error (exit 1) that
// says why: a build without CUDA, no NVIDIA driver, or no GPU (sl::device_unavailable_reason).
Device device_flag(const Flags& f, const std::string& command);

}  // namespace sl::cli
