// viz/settings.cpp - reads and writes viz/settings.h's settings.ini: one `key=value`
// per line, unknown keys ignored, so older and newer versions of the app share it.
// Writes go to a temporary file renamed over the old one: a crash never leaves half a file.
#include "viz/settings.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace sl::viz {

namespace fs = std::filesystem;

std::string config_dir() {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    base = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    base = fs::path(home) / ".config";
  else
    return {};
  fs::path dir = base / "shufflelab";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return {};
  return dir.string();
}

Settings load_settings() {
  Settings s;
  const std::string dir = config_dir();
  if (dir.empty()) return s;
  std::ifstream in(fs::path(dir) / "settings.ini");
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "theme") {
      s.dark = value != "light";
    } else if (key == "speed") {
      char* end = nullptr;
      const float v = std::strtof(value.c_str(), &end);
      if (end != value.c_str() && v >= 0.1f && v <= 8.f) s.speed = v;
    } else if (key == "panel" && !value.empty()) {
      s.panel = value;
    } else if (key == "lang" && (value == "en" || value == "zh")) {
      s.lang = value;
    } else if (key == "blocks_device" || key == "guidelines_device" || key == "train_device") {
      if (value != "cpu" && value != "cuda") continue;  // a stale value: the default
      const Device d = value == "cuda" ? Device::cuda : Device::cpu;
      if (key == "blocks_device")
        s.blocks_device = d;
      else if (key == "guidelines_device")
        s.guidelines_device = d;
      else
        s.train_device = d;
    }
  }
  return s;
}

bool save_settings(const Settings& s) {
  const std::string dir = config_dir();
  if (dir.empty()) return false;
  const fs::path path = fs::path(dir) / "settings.ini", tmp = fs::path(dir) / "settings.ini.tmp";
  {
    std::ofstream out(tmp);
    if (!out) return false;
    out << "# ShuffleLab app settings (written by the app; safe to delete)\n"
        << "theme=" << (s.dark ? "dark" : "light") << "\n"
        << "speed=" << s.speed << "\n"
        << "panel=" << s.panel << "\n"
        << "lang=" << s.lang << "\n"
        << "blocks_device=" << device_name(s.blocks_device) << "\n"
        << "guidelines_device=" << device_name(s.guidelines_device) << "\n"
        << "train_device=" << device_name(s.train_device) << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

std::string fall_back_to_cpu(Settings& s) {
  const std::string why = device_unavailable_reason(Device::cuda);
  if (why.empty()) return "";
  std::string panels;
  for (auto [d, name] : {std::pair<Device*, const char*>{&s.blocks_device, "Blocks"},
                         {&s.guidelines_device, "Guidelines"},
                         {&s.train_device, "Train"}})
    if (*d == Device::cuda) {
      *d = Device::cpu;
      panels += str_cat(panels.empty() ? "" : ", ", name);
    }
  if (panels.empty()) return "";
  return str_cat("CUDA was saved for ", panels, " but cannot run now, so the CPU is used: ", why);
}

}  // namespace sl::viz
