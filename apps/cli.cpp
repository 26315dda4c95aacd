// apps/cli.cpp - implementation of the flag parser and JSON writer in apps/cli.h.
#include "apps/cli.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace sl::cli {

Flags::Flags(std::string command, int argc, char** argv, std::vector<FlagSpec> specs)
    : command_(std::move(command)), specs_(std::move(specs)) {
  specs_.push_back({"help", false, "show this help and exit"});
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), val;
    bool inline_val = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      val = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_val = true;
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs_)
      if (s.name == name) spec = &s;
    SL_CHECK_USAGE(spec, command_, ": unknown flag --", name);
    if (spec->takes_value && !inline_val) {
      SL_CHECK_USAGE(i + 1 < argc, command_, ": flag --", name, " needs a value");
      val = argv[++i];
    }
    SL_CHECK_USAGE(spec->takes_value || !inline_val, command_, ": flag --", name,
                   " takes no value");
    values_[name] = val;
  }
  SL_CHECK_USAGE(positional_.empty() || help(), command_, ": unexpected argument '",
                 positional_.empty() ? "" : positional_[0], "'");
}

std::string Flags::str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

int64_t Flags::integer(const std::string& name, int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  SL_CHECK_USAGE(!it->second.empty() && *end == '\0', command_, ": --", name,
                 " expects a whole number, got '", it->second, "'");
  SL_CHECK_USAGE(errno != ERANGE, command_, ": --", name, " ", it->second,
                 " is out of range (a whole number from ", INT64_MIN, " to ", INT64_MAX, ")");
  return v;
}

int64_t Flags::integer_in(const std::string& name, int64_t fallback, int64_t lo, int64_t hi) const {
  if (!has(name)) return fallback;
  const int64_t v = integer(name, fallback);
  SL_CHECK_USAGE(v >= lo && v <= hi, command_, ": --", name, " must be between ", lo, " and ", hi,
                 ", got ", v);
  return v;
}

double Flags::number(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(it->second.c_str(), &end);
  SL_CHECK_USAGE(!it->second.empty() && *end == '\0', command_, ": --", name,
                 " expects a number, got '", it->second, "'");
  const bool overflow = errno == ERANGE && std::fabs(v) > 1;
  SL_CHECK_USAGE(std::isfinite(v) || overflow, command_, ": --", name,
                 " expects a finite number, got '", it->second, "'");
  SL_CHECK_USAGE(!overflow, command_, ": --", name, " ", it->second,
                 " is out of range (at most about 1.8e308)");
  return v;
}

std::string Flags::usage(const std::string& synopsis, const std::string& description) const {
  std::string out =
      "usage: shufflelab " + command_ + " " + synopsis + "\n\n" + description + "\n\nflags:\n";
  for (const FlagSpec& s : specs_) {
    std::string left = "  --" + s.name + (s.takes_value ? " VALUE" : "");
    if (left.size() < 24) left.resize(24, ' ');
    out += left + " " + s.help + "\n";
  }
  return out;
}

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if ((unsigned char)c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void Json::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.back()) os_ << ",";
  first_.back() = false;
}
Json& Json::begin_object() {
  comma();
  os_ << "{";
  first_.push_back(true);
  return *this;
}
Json& Json::end_object() {
  os_ << "}";
  first_.pop_back();
  return *this;
}
Json& Json::begin_array() {
  comma();
  os_ << "[";
  first_.push_back(true);
  return *this;
}
Json& Json::end_array() {
  os_ << "]";
  first_.pop_back();
  return *this;
}
Json& Json::key(const std::string& k) {
  comma();
  os_ << json_escape(k) << ":";
  after_key_ = true;
  return *this;
}
Json& Json::value(const std::string& v) {
  comma();
  os_ << json_escape(v);
  return *this;
}
Json& Json::value(double v) {
  comma();
  if (!std::isfinite(v)) {
    os_ << "null";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    os_ << buf;
  }
  return *this;
}
Json& Json::value(int64_t v) {
  comma();
  os_ << v;
  return *this;
}
Json& Json::value(bool v) {
  comma();
  os_ << (v ? "true" : "false");
  return *this;
}
Json& Json::value(const std::vector<int64_t>& v) {
  begin_array();
  for (int64_t x : v) value(x);
  return end_array();
}

// [SECTION] --device

FlagSpec device_flag_spec() { return {"device", true, "cpu (default) or cuda"}; }

Device device_flag(const Flags& f, const std::string& command) {
  const std::string name = f.str("device", "cpu");
  SL_CHECK_USAGE(name == "cpu" || name == "cuda", command, ": --device must be cpu or cuda, got '",
                 name, "'");
  const Device d = name == "cuda" ? Device::cuda : Device::cpu;
  const std::string why = device_unavailable_reason(d);
  SL_CHECK(why.empty(), command, ": --device ", name, " is not available here: ", why);
  return d;
}

}  // namespace sl::cli
