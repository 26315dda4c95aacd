// viz/settings.h - what the app remembers between runs: theme, animation speed and
// the last panel and the language (app labels and lessons), in
// $XDG_CONFIG_HOME/shufflelab/settings.ini (else
// ~/.config/shufflelab/), beside ImGui's own imgui.ini. Never the working directory.
// Headless runs (screenshots, tests) neither read nor write any of it.
#pragma once
#include <string>

namespace sl::viz {

struct Settings {
  bool dark = true;
  float speed = 1.f;  // animation speed, steps per second
  std::string panel = "Shuffle";
  std::string lang = "en";  // "en" or "zh": the app's labels and the Lessons panel's text
};

// The config directory, created on demand; empty when neither XDG_CONFIG_HOME nor
// HOME is set or it cannot be created (then nothing is persisted).
std::string config_dir();
Settings load_settings();               // defaults for anything missing or unreadable
bool save_settings(const Settings& s);  // false when it could not be written

}  // namespace sl::viz
