// viz/settings.h - what the app remembers between runs: theme, animation speed, the
// last panel, the language (app labels and lessons) and the backend of the Blocks,
// Guidelines and Train panels, in
// $XDG_CONFIG_HOME/shufflelab/settings.ini (else
// ~/.config/shufflelab/), beside ImGui's own imgui.ini. Never the working directory.
// Headless runs (screenshots, tests) neither read nor write any of it.
#pragma once
#include <string>

#include "core/backend.h"

namespace sl::viz {

struct Settings {
  bool dark = true;
  float speed = 1.f;  // animation speed, steps per second
  std::string panel = "Shuffle";
  std::string lang = "en";  // "en" or "zh": the app's labels and the Lessons panel's text
  // Each panel's backend switch (viz/ui.h's device_switch): "cpu" or "cuda" in the file.
  Device blocks_device = Device::cpu, guidelines_device = Device::cpu, train_device = Device::cpu;
};

// The config directory, created on demand; empty when neither XDG_CONFIG_HOME nor
// HOME is set or it cannot be created (then nothing is persisted).
std::string config_dir();
Settings load_settings();               // defaults for anything missing or unreadable
bool save_settings(const Settings& s);  // false when it could not be written
// A saved CUDA choice where CUDA can no longer run (driver gone, another machine, a build
// without CUDA) falls back to the CPU: returns the one-line notice the app shows, naming
// the panels and core's device_unavailable_reason; "" when nothing changed.
std::string fall_back_to_cpu(Settings& s);

}  // namespace sl::viz
