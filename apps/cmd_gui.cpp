// apps/cmd_gui.cpp - `shufflelab gui`: parses the flags of docs/commands.md and opens
// the app (viz/app.h). With --screenshot it renders one panel headless for N frames,
// writes the PNG and exits 0; the Shuffle panel's example, step, theme and HiDPI scale
// can be set so that any picture can be scripted. Compiled only with the GUI
// (SL_HAVE_VIZ). Not here: the app itself (viz/).
#ifdef SL_HAVE_VIZ
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "apps/cli.h"
#include "apps/commands.h"
#include "apps/shuffle_flags.h"
#include "viz/app.h"

int cmd_gui(int argc, char** argv) {
  std::vector<sl::cli::FlagSpec> specs = {
      {"panel", true, "open this panel: Shuffle, Blocks, Guidelines, Train, Lessons"},
      {"screenshot", true, "headless: render the panel without input, write this PNG, exit"},
      {"frames", true, "frames to render before the screenshot (default 2)"},
      {"size", true, "window or image size WxH in pixels (default 1280x800)"},
      {"theme", true, "dark or light (default: the saved choice, else dark)"},
      {"scale", true, "HiDPI scale of fonts and sizes, e.g. 1, 1.5, 2 (default: the monitor's)"},
      {"step", true,
       "Shuffle panel: start at this step, 0..4 (2.5: halfway through the copy), "
       "or 'fail': the view that fails without contiguous()"},
      {"model", true, "Blocks panel: the model to profile (default v2-1.0)"},
      {"variant", true, "Blocks panel: imagenet (default) or cifar"},
      {"compare", true, "Blocks panel: a second model to compare with, e.g. v2-1.0"},
      {"experiment", true, "Guidelines panel: show G1, G2, G3, G4 or Zero-copy"},
      {"lesson", true, "Lessons panel: show this lesson, e.g. 05 (default 01)"},
      {"lang", true, "the app's labels and the lessons: en or zh (default: the saved choice)"},
      {"run", true, "Train panel: open this run folder (shufflelab train --out) or weights file"},
      {"checkpoint", true, "Train panel: open this checkpoint (OUT/last.state.safetensors)"},
      {"train-synthetic", false,
       "Train panel: train on a tiny synthetic data set and pause mid-run (screenshots)"},
      {"train-tab", true, "Train panel: show predictions (default), confusion or features"}};
  for (sl::cli::FlagSpec spec : sl::cli::shuffle_shape_flags()) {
    spec.help = "Shuffle panel: " + spec.help;
    specs.push_back(spec);
  }
  sl::cli::Flags f("gui", argc, argv, specs);
  if (f.help()) {
    std::printf("%s",
                f.usage("[--panel NAME] [--screenshot FILE.png --frames N] [--size WxH]\n"
                        "       [--theme dark|light] [--scale S] [--step S|fail]\n"
                        "       [--shape NxCxHxW] [--groups G] [--lesson NN] [--lang en|zh]\n"
                        "       [--run DIR | --checkpoint FILE | --train-synthetic] "
                        "[--train-tab T]",
                        "Opens the ShuffleLab app. Keys: Space play/pause, Left/Right step,\n"
                        "Home/End first/last step, F1 help. The Shuffle panel takes C <= 64,\n"
                        "N <= 2 and H, W <= 4. Settings and layout are kept in\n"
                        "$XDG_CONFIG_HOME/shufflelab (else ~/.config/shufflelab).\n"
                        "Headless screenshots without a display: xvfb-run -a shufflelab gui "
                        "--panel Shuffle --screenshot out.png --frames 5")
                    .c_str());
    return 0;
  }
  sl::viz::AppOptions opt;
  if (f.has("panel")) {
    opt.panel = f.str("panel");
    bool known = false;
    for (const std::string& name : sl::viz::panel_names())
      known = known || strcasecmp(name.c_str(), opt.panel.c_str()) == 0;
    SL_CHECK_USAGE(known, "gui: unknown panel '", opt.panel,
                   "' (panels: Shuffle, Blocks, Guidelines, Train, Lessons)");
  }
  opt.screenshot = f.str("screenshot");
  SL_CHECK_USAGE(!f.has("screenshot") || !opt.screenshot.empty(),
                 "gui: --screenshot needs a file name");
  SL_CHECK_USAGE(!f.has("frames") || f.has("screenshot"),
                 "gui: --frames only applies with --screenshot FILE.png");
  const int64_t frames = f.integer("frames", 2);
  SL_CHECK_USAGE(frames >= 1 && frames <= 100000, "gui: --frames must be 1..100000, got ", frames);
  opt.frames = (int)frames;
  if (f.has("size")) {
    const std::string s = f.str("size");
    int w = 0, h = 0;
    char tail = 0;
    const bool ok = std::sscanf(s.c_str(), "%dx%d%c", &w, &h, &tail) == 2;
    SL_CHECK_USAGE(ok && w >= 64 && h >= 64 && w <= 8192 && h <= 8192,
                   "gui: --size wants WxH between 64x64 and 8192x8192, got '", s, "'");
    opt.width = w;
    opt.height = h;
  }
  opt.theme = f.str("theme");
  SL_CHECK_USAGE(opt.theme.empty() || opt.theme == "dark" || opt.theme == "light",
                 "gui: --theme must be dark or light, got '", opt.theme, "'");
  if (f.has("scale")) {
    const double scale = f.number("scale", 1.0);
    SL_CHECK_USAGE(scale >= 0.5 && scale <= 4.0, "gui: --scale must be 0.5..4, got ", scale);
    opt.scale = (float)scale;
  }
  if (f.str("step") == "fail") {
    opt.step_fail = true;
  } else if (f.has("step")) {
    const double step = f.number("step", 0.0);
    SL_CHECK_USAGE(step >= 0.0 && step <= 4.0, "gui: --step must be 0..4 or fail, got ", step);
    opt.step = (float)step;
  }
  // The Shuffle panel's example; the panel's own limits (C <= 64, N <= 2, H, W <= 4) apply.
  const sl::ShuffleExample ex = sl::cli::read_shuffle_shape(f, "gui");
  auto narrow = [](int64_t v) { return (int)std::clamp<int64_t>(v, -1, 1 << 20); };
  opt.shuffle = {.C = narrow(ex.C),
                 .g = narrow(ex.G),
                 .N = narrow(ex.N),
                 .H = narrow(ex.H),
                 .W = narrow(ex.W)};
  sl::viz::check_config(opt.shuffle);
  opt.model = f.str("model");
  opt.variant = f.str("variant");
  opt.compare = f.str("compare");
  opt.experiment = f.str("experiment");
  opt.lesson = f.str("lesson");
  opt.lang = f.str("lang");
  SL_CHECK_USAGE(opt.lang.empty() || opt.lang == "en" || opt.lang == "zh",
                 "gui: --lang must be en or zh, got '", opt.lang, "'");
  SL_CHECK_USAGE(!(f.has("run") && f.has("checkpoint")),
                 "gui: --run and --checkpoint both name what to open; give one");
  opt.train_open = f.has("checkpoint") ? f.str("checkpoint") : f.str("run");
  opt.train_synthetic = f.has("train-synthetic");
  opt.train_tab = f.str("train-tab");
  SL_CHECK_USAGE(opt.train_tab.empty() || opt.train_tab == "predictions" ||
                     opt.train_tab == "confusion" || opt.train_tab == "features",
                 "gui: --train-tab must be predictions, confusion or features, got '",
                 opt.train_tab, "'");
  return sl::viz::run_app(opt);
}
#endif  // SL_HAVE_VIZ
