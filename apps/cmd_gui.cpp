// apps/cmd_gui.cpp - `shufflelab gui`: parses the flags of shared/spec/cli.md and opens
// the app (viz/app.h). With --screenshot it renders one panel headless for N frames,
// writes the PNG and exits 0. Compiled only with the GUI (SL_HAVE_VIZ). Not here: the
// app itself (viz/).
#ifdef SL_HAVE_VIZ
#include <strings.h>

#include <cstdio>
#include <string>

#include "apps/cli.h"
#include "apps/commands.h"
#include "viz/app.h"

int cmd_gui(int argc, char** argv) {
  sl::cli::Flags f("gui", argc, argv,
                   {{"panel", true, "open this panel: Shuffle, Blocks, Guidelines, Train, Lessons"},
                    {"screenshot", true, "headless: render the panel without input, write this PNG, exit"},
                    {"frames", true, "frames to render before the screenshot (default 2)"},
                    {"size", true, "window or image size WxH in pixels (default 1280x800)"},
                    {"theme", true, "dark or light (default: the saved choice, else dark)"},
                    {"step", true, "Shuffle panel: start at this step, 0..4 (2.5: halfway through the copy)"},
                    {"experiment", true, "Guidelines panel: show G1, G2, G3, G4 or Zero-copy"}});
  if (f.help()) {
    std::printf("%s", f.usage("[--panel NAME] [--screenshot FILE.png --frames N] [--size WxH]\n       [--theme dark|light] [--step S]",
                              "Opens the ShuffleLab app. Keys: Space play/pause, Left/Right step,\n"
                              "Home/End first/last step, F1 help. Settings and layout are kept in\n"
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
  SL_CHECK_USAGE(!f.has("screenshot") || !opt.screenshot.empty(), "gui: --screenshot needs a file name");
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
  if (f.has("step")) {
    const double step = f.number("step", 0.0);
    SL_CHECK_USAGE(step >= 0.0 && step <= 4.0, "gui: --step must be 0..4, got ", step);
    opt.step = (float)step;
  }
  opt.experiment = f.str("experiment");
  return sl::viz::run_app(opt);
}
#endif  // SL_HAVE_VIZ
