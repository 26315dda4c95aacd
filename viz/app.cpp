// viz/app.cpp - the app shell, after Dear ImGui's example_glfw_opengl3: a GLFW window
// with an OpenGL 3.3 core context (loaded by the glad2 loader generated into the build
// tree), ImGui's GLFW and OpenGL3 backends, fonts scaled to the window's content scale,
// the main loop, the keyboard, and PNG capture. Headless mode renders into an offscreen
// framebuffer of exactly the requested size, so screenshots never depend on a screen.
// Not here: what a frame shows (app_ui.cpp and the panels).
//
// [SECTION] index
//   errors and options   one `error: ...` line for every way the app can fail to start
//   capture              offscreen framebuffer, glReadPixels -> PNG
//   keyboard             Space, arrows, Home/End, F1, Ctrl+Q
//   run_app              window, context, ImGui, loop, teardown
#include "viz/app.h"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <unistd.h>
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <zlib.h>

#include <cstdlib>

// stb_image_write's own deflate is small but weak; zlib at its best level makes screenshots
// and lesson figures about a third smaller. stb frees the returned buffer with free().
static unsigned char* sl_png_deflate(unsigned char* data, int len, int* out_len, int /*quality*/) {
  uLongf n = compressBound((uLong)len);
  auto* out = static_cast<unsigned char*>(std::malloc(n));  // NOLINT: stb owns it, frees with free
  if (!out || compress2(out, &n, data, (uLong)len, Z_BEST_COMPRESSION) != Z_OK) {
    std::free(out);  // NOLINT
    return nullptr;
  }
  *out_len = (int)n;
  return out;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STBIW_ZLIB_COMPRESS sl_png_deflate
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include "nn/safetensors.h"
#include "viz/app_state.h"
#include "viz/i18n.h"
#include "viz/settings.h"

namespace sl::viz {

// [SECTION] errors and options

static std::string g_glfw_error;  // the last GLFW error, for the one-line message
static void on_glfw_error(int code, const char* what) { g_glfw_error = what ? what : "?"; }

static int fail(int code, const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  return code;
}

// [SECTION] capture

namespace {

struct Offscreen {
  GLuint fbo = 0, color = 0;
  bool create(int w, int h) {
    glGenFramebuffers(1, &fbo);
    glGenRenderbuffers(1, &color);
    glBindRenderbuffer(GL_RENDERBUFFER, color);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
    return glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
  }
  void destroy() {
    if (fbo) glDeleteFramebuffers(1, &fbo);
    if (color) glDeleteRenderbuffers(1, &color);
    fbo = color = 0;
  }
};

// Reads the bound read framebuffer (w x h) and writes it as an RGB PNG. OpenGL's rows
// start at the bottom, PNG's at the top: rows are flipped on the way.
bool write_png(const std::string& path, int w, int h, std::string* err) {
  std::vector<unsigned char> rgba(size_t(w) * h * 4), rgb(size_t(w) * h * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  for (int y = 0; y < h; ++y) {
    const unsigned char* src = &rgba[size_t(h - 1 - y) * w * 4];
    unsigned char* dst = &rgb[size_t(y) * w * 3];
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < 3; ++k) dst[x * 3 + k] = src[x * 4 + k];
  }
  // Encoded in memory, then written like a checkpoint (nn/safetensors.h): PATH.tmp, every
  // write checked, fsync, rename. A full disk leaves no truncated PNG, and says so.
  int len = 0;
  unsigned char* png = stbi_write_png_to_mem(rgb.data(), w * 3, w, h, 3, &len);
  if (!png) {
    *err = "cannot encode the " + std::to_string(w) + "x" + std::to_string(h) + " PNG for " + path;
    return false;
  }
  try {
    sl::write_file_atomic(path, std::span<const uint8_t>(png, (size_t)len));
  } catch (const std::exception& e) {
    STBIW_FREE(png);
    *err = std::string(e.what()) + " (does the folder exist, is it writable, is the disk full?)";
    return false;
  }
  STBIW_FREE(png);
  return true;
}

}  // namespace

// [SECTION] keyboard
// Presses are queued by a GLFW key callback (ImGui's backend chains to it) rather than
// read from ImGui 1.86's io.KeysDown[], which misses a press and release that arrive
// within one frame. The keys act only while no ImGui text field has the keyboard.

static void on_key(GLFWwindow* win, int key, int scancode, int action, int mods) {
  if (action == GLFW_RELEASE) return;
  if (auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(win)))
    app->keys.push_back({key, (mods & GLFW_MOD_CONTROL) != 0, action == GLFW_REPEAT});
}

static void handle_keys(AppState& app, GLFWwindow* win) {
  std::vector<KeyPress> keys;
  keys.swap(app.keys);
  if (ImGui::GetIO().WantTextInput) return;
  ShuffleClock& clock = app.shuffle.clock;
  const bool shuffle = app.panel == Panel::shuffle;
  for (const KeyPress& k : keys) {
    if (k.key == GLFW_KEY_F1 && !k.repeat) app.show_help = !app.show_help;
    if (k.key == GLFW_KEY_Q && k.ctrl) glfwSetWindowShouldClose(win, GLFW_TRUE);
    if (!shuffle) continue;
    if (k.key == GLFW_KEY_SPACE && !k.repeat) clock.toggle_play();
    if (k.key == GLFW_KEY_RIGHT) clock.step(+1);
    if (k.key == GLFW_KEY_LEFT) clock.step(-1);
    if (k.key == GLFW_KEY_HOME) clock.go_to(0);
    if (k.key == GLFW_KEY_END) clock.go_to(clock.stops - 1);
  }
}

// [SECTION] run_app

int run_app(const AppOptions& opt) {
  AppState app;
  app.headless = !opt.screenshot.empty();
  if (opt.width < 64 || opt.height < 64 || opt.width > 8192 || opt.height > 8192)
    return fail(2, "window size " + std::to_string(opt.width) + "x" + std::to_string(opt.height) +
                       " is outside 64x64..8192x8192");
  if (!opt.panel.empty() && !panel_from_name(opt.panel, &app.panel))
    return fail(2, "unknown panel '" + opt.panel +
                       "' (panels: Shuffle, Blocks, Guidelines, Train, Lessons)");
  Settings settings;
  if (!app.headless) settings = load_settings();
  if (opt.panel.empty() && !panel_from_name(settings.panel, &app.panel))
    app.panel = Panel::shuffle;  // a stale name in settings.ini: not the user's error
  if (!opt.theme.empty() && opt.theme != "dark" && opt.theme != "light")
    return fail(2, "unknown theme '" + opt.theme + "' (dark or light)");
  app.dark = opt.theme.empty() ? settings.dark : opt.theme == "dark";
  app.shuffle.clock.speed = settings.speed;
  // Each panel's backend as saved, where it can still run (else the CPU, and a notice).
  if (const std::string notice = fall_back_to_cpu(settings); !notice.empty()) {
    app.toast = notice;
    app.toast_left = 8.f;
  }
  app.blocks.job.a.device = app.blocks.job.b.device = settings.blocks_device;
  app.guidelines.device = settings.guidelines_device;
  app.train.cfg.device = settings.train_device;
  try {
    check_config(opt.shuffle);
  } catch (const UsageError& e) {
    return fail(2, e.what());
  }
  if (opt.scale < 0.f || opt.scale > 4.f) return fail(2, "scale must be 0..4");
  app.shuffle.configure(opt.shuffle);
  if (opt.step_fail) {
    app.shuffle.show_fail_stop(true);
    app.shuffle.clock.scrub(float(kFailStop));
  } else if (opt.step >= 0.f) {
    app.shuffle.clock.scrub(stop_time(opt.step, app.shuffle.fail_stop));
  }
  try {  // the Blocks panel's model; errors name the models that exist
    if (!opt.model.empty()) set_model_name(app.blocks.job.a, opt.model);
    if (!opt.compare.empty())
      set_model_name(app.blocks.job.b, opt.compare), app.blocks.job.compare = true;
    if (!opt.compare.empty()) app.blocks.right_tab_request = 3;
    SL_CHECK_USAGE(opt.variant.empty() || opt.variant == "imagenet" || opt.variant == "cifar",
                   "unknown variant '", opt.variant, "' (imagenet or cifar)");
    if (!opt.variant.empty()) app.blocks.job.a.imagenet = opt.variant == "imagenet";
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  if (!opt.experiment.empty() && !guidelines_view_from_name(opt.experiment, &app.guidelines.view))
    return fail(2, "unknown experiment '" + opt.experiment + "' (G1, G2, G3, G4, Zero-copy)");
  // The Lessons panel: found before the fonts load, whose CJK glyphs include the lessons' text.
  app.lessons.load();
  if (!opt.lesson.empty() && !app.lessons.select_number(opt.lesson))
    return fail(2, "no lesson '" + opt.lesson + "' in " +
                       (app.lessons.dir.empty() ? std::string("(no lessons folder found)")
                                                : app.lessons.dir) +
                       " (lessons are numbered 01, 02, ...)");
  if (!opt.lang.empty() && opt.lang != "en" && opt.lang != "zh")
    return fail(2, "unknown language '" + opt.lang + "' (en or zh)");
  // The Train panel: a run or checkpoint to open, or a synthetic run for screenshots.
  if (!opt.train_open.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(opt.train_open, ec))
      return fail(2, str_cat("no run folder or checkpoint '", opt.train_open,
                             "' (a folder of shufflelab train --out, or a .safetensors file)"));
    if (opt.train_synthetic) return fail(2, "--train-synthetic trains its own run: drop --run");
    app.train.open_field = opt.train_open;
  }
  if (!opt.train_tab.empty()) {
    const char* tabs[] = {"predictions", "confusion", "features"};
    for (int t = 0; t < 3; ++t)
      if (opt.train_tab == tabs[t]) app.train.tab_request = t;
    if (app.train.tab_request < 0)
      return fail(2, str_cat("unknown Train tab '", opt.train_tab,
                             "' (predictions, confusion, features)"));
  }
  if (opt.train_synthetic) {
    app.train.synthetic_dir = (std::filesystem::temp_directory_path() /
                               str_cat("shufflelab-train-synthetic-", ::getpid()))
                                  .string();
    app.train.remove_synthetic = true;
  }

  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit())
    return fail(1, "cannot open a window: " + g_glfw_error +
                       " (no display? for headless use: xvfb-run -a shufflelab gui ...)");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_FALSE);  // the framebuffer is the size asked for
  if (app.headless) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  GLFWwindow* win = glfwCreateWindow(opt.width, opt.height, "ShuffleLab", nullptr, nullptr);
  if (!win) {
    glfwTerminate();
    return fail(1, "cannot create an OpenGL 3.3 core window: " + g_glfw_error);
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(app.headless ? 0 : 1);
  if (!gladLoadGL(glfwGetProcAddress)) {
    glfwDestroyWindow(win);
    glfwTerminate();
    return fail(1, "cannot load OpenGL 3.3 core functions (glad)");
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  // Layout lives beside settings.ini in the config directory, never the working directory;
  // headless runs keep nothing.
  std::string ini;
  if (!app.headless && !config_dir().empty())
    ini = (std::filesystem::path(config_dir()) / "imgui.ini").string();
  io.IniFilename = ini.empty() ? nullptr : ini.c_str();
  // Our key callback first: ImGui's backend (installing its own) chains to it.
  glfwSetWindowUserPointer(win, &app);
  if (!app.headless) glfwSetKeyCallback(win, on_key);
  // ImGui's OpenGL3 backend brings its own small loader (imgl3w: libGL + glXGetProcAddress).
  if (!ImGui_ImplGlfw_InitForOpenGL(win, !app.headless) ||
      !ImGui_ImplOpenGL3_Init("#version 330 core")) {
    ImGui::DestroyContext();
    glfwDestroyWindow(win);
    glfwTerminate();
    return fail(1, "cannot start ImGui's OpenGL 3 renderer on this context");
  }

  Offscreen target;
  if (app.headless && !target.create(opt.width, opt.height)) {
    target.destroy();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(win);
    glfwTerminate();
    return fail(1, "cannot create a " + std::to_string(opt.width) + "x" +
                       std::to_string(opt.height) + " offscreen framebuffer");
  }

  // A tab opened with SetSelected shows on the frame after: headless runs render two at least.
  const int frames = std::max(opt.frames, 2);
  int rc = 0;
  bool fonts_ready = false;
  for (int frame = 0; !glfwWindowShouldClose(win); ++frame) {
    if (app.headless && frame >= frames) break;
    glfwPollEvents();
    int fb_w = opt.width, fb_h = opt.height;
    if (!app.headless) {
      glfwGetFramebufferSize(win, &fb_w, &fb_h);
      if (fb_w == 0 || fb_h == 0) {  // minimised: sleep until something happens
        glfwWaitEvents();
        continue;
      }
    }
    // HiDPI: fonts and sizes follow the monitor's content scale (1 in headless runs).
    float sx = opt.scale > 0.f ? opt.scale : 1.f, sy = sx;
    if (!app.headless && opt.scale <= 0.f) glfwGetWindowContentScale(win, &sx, &sy);
    if (!fonts_ready || sx != app.scale) {
      app.scale = sx;
      load_fonts(app.scale, app.lessons.zh_text() + tr_zh_text());
      app.lessons.cjk_font = fonts().cjk;
      if (!fonts_ready) set_app_lang(app, (opt.lang.empty() ? settings.lang : opt.lang) == "zh");
      apply_theme(app.dark, app.scale);
      if (fonts_ready) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
      }
      fonts_ready = true;
    }
    if (app.dark != theme_is_dark()) apply_theme(app.dark, app.scale);

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (app.headless) {  // no input, exact size, a fixed clock: the same picture every run
      io.DisplaySize = ImVec2(float(opt.width), float(opt.height));
      io.DisplayFramebufferScale = ImVec2(1.f, 1.f);
      io.DeltaTime = 1.f / 60.f;
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    }
    ImGui::NewFrame();
    if (!app.headless) handle_keys(app, win);
    draw_frame(app);
    ImGui::Render();

    glBindFramebuffer(GL_FRAMEBUFFER, app.headless ? target.fbo : 0);
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

    std::string err;
    if (app.headless && frame == frames - 1) {
      glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo);
      if (!write_png(opt.screenshot, opt.width, opt.height, &err)) rc = fail(1, err);
    } else if (!app.png_request.empty()) {  // "Save PNG": the frame just drawn
      glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
      glReadBuffer(GL_BACK);
      app.toast =
          write_png(app.png_request, fb_w, fb_h, &err)
              ? std::string(tr("saved")) + " " + std::filesystem::absolute(app.png_request).string()
              : err;
      app.toast_left = 4.f;
      app.png_request.clear();
    }
    if (!app.headless) glfwSwapBuffers(win);
  }

  if (!app.headless)
    save_settings({.dark = app.dark,
                   .speed = app.shuffle.clock.speed,
                   .panel = panel_title(app.panel),
                   .lang = app.lessons.lang == Lang::zh ? "zh" : "en",
                   .blocks_device = app.blocks.job.a.device,
                   .guidelines_device = app.guidelines.device,
                   .train_device = app.train.cfg.device});
  app.lessons.images.clear();  // the figures' textures, while the context is current
  target.destroy();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();
  return rc;
}

}  // namespace sl::viz
