// tests/viz/test_viz_state_images.cpp - the Lessons panel's figures and badges without a
// window: PNG decoding (a PNG written here, a missing file, a file that is no PNG), the
// README-relative path, the fit to the panel width, the texture cache with a counting
// fake upload (each file decoded and uploaded once, clear() releases each texture), and
// the exercise results that `make check-exercise` writes winning over an older CTest log,
// and the lessons' real figures (each one referenced exists, decodes, stays small).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include "tests/helpers.h"
#include "viz/lessons/lessons_state.h"

using namespace sl::viz;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const char* name) {
  fs::path d = fs::temp_directory_path() /
               (std::string("sl_test_images_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("images: a PNG decodes to RGBA; missing and broken files say why") {
  const fs::path dir = temp_dir("decode");
  // 3 x 2 RGB: red green blue / white black grey.
  const unsigned char px[] = {255, 0,   0,   0, 255, 0, 0,   0,   255,
                              255, 255, 255, 0, 0,   0, 128, 128, 128};
  REQUIRE(stbi_write_png((dir / "a.png").string().c_str(), 3, 2, 3, px, 3 * 3) != 0);
  const LoadedImage img = load_image_rgba((dir / "a.png").string());
  CHECK(img.error.empty());
  CHECK(img.w == 3);
  CHECK(img.h == 2);
  REQUIRE(img.rgba.size() == 3 * 2 * 4);
  CHECK(img.rgba[4 + 1] == 255);   // (1, 0) green
  CHECK(img.rgba[4 + 3] == 255);   // opaque alpha added
  CHECK(img.rgba[20 + 0] == 128);  // (2, 1) grey
  CHECK(load_image_rgba((dir / "none.png").string()).error == "missing");
  write_text(dir / "bad.png", "not a png at all");
  const LoadedImage bad = load_image_rgba((dir / "bad.png").string());
  CHECK(bad.error.find("cannot decode") == 0);
  CHECK(bad.rgba.empty());
  fs::remove_all(dir);
}

TEST_CASE("images: paths are relative to the README; the size fits the panel") {
  CHECK(image_path("/r/lessons/01_x/README.zh.md", "figures/a.png") ==
        "/r/lessons/01_x/figures/a.png");
  CHECK(image_path("/r/lessons/01_x/README.md", "../02_y/b.png") == "/r/lessons/02_y/b.png");
  CHECK(image_path("/r/lessons/01_x/README.md", "/abs/c.png") == "/abs/c.png");
  const FitSize natural = fit_image(400, 200, 1000.f, 1.f);  // fits: natural size
  CHECK(natural.w == doctest::Approx(400.f));
  CHECK(natural.h == doctest::Approx(200.f));
  const FitSize hidpi = fit_image(400, 200, 1000.f, 2.f);  // HiDPI: scaled like the fonts
  CHECK(hidpi.w == doctest::Approx(800.f));
  const FitSize narrow = fit_image(400, 200, 300.f, 1.f);  // too wide: shrunk, same aspect
  CHECK(narrow.w == doctest::Approx(300.f));
  CHECK(narrow.h == doctest::Approx(150.f));
  CHECK(fit_image(0, 10, 300.f, 1.f).w == 0.f);
}

TEST_CASE("images: the cache decodes and uploads each file once, and releases on clear") {
  const fs::path dir = temp_dir("cache");
  const unsigned char px[] = {1, 2, 3, 4};
  REQUIRE(stbi_write_png((dir / "g.png").string().c_str(), 2, 2, 1, px, 2) != 0);
  int uploads = 0;
  std::vector<unsigned> released;
  ImageCache cache;
  cache.set_backend(
      [&](const LoadedImage& img) { return img.w == 2 ? 100u + unsigned(uploads++) : 0u; },
      [&](unsigned t) { released.push_back(t); });
  const std::string g = (dir / "g.png").string();
  const ImageCache::Entry& e = cache.get(g);
  CHECK(e.error.empty());
  CHECK(e.texture == 100u);
  CHECK(e.w == 2);
  CHECK(cache.get(g).texture == 100u);  // the second frame: no decode, no upload
  CHECK(cache.decodes() == 1);
  CHECK(uploads == 1);
  const ImageCache::Entry& m = cache.get((dir / "missing.png").string());
  CHECK(m.error == "missing");
  CHECK(m.texture == 0u);
  cache.get((dir / "missing.png").string());
  CHECK(cache.decodes() == 2);  // a missing file is remembered too: no disk access per frame
  CHECK(cache.size() == 2);
  cache.clear();
  CHECK(released == std::vector<unsigned>{100u});  // only real textures are released
  CHECK(cache.size() == 0);
  fs::remove_all(dir);
}

TEST_CASE("lessons: make check-exercise's result file wins over an older CTest log") {
  CHECK(parse_exercise_result("passed\n") == CheckResult::passed);
  CHECK(parse_exercise_result("failed") == CheckResult::failed);
  CHECK(parse_exercise_result("not solved yet\r\n") == CheckResult::not_solved);
  CHECK(parse_exercise_result("garbage") == CheckResult::not_run);

  const fs::path dir = temp_dir("results");
  const fs::path log = dir / "LastTest.log", res = dir / "exercises";
  fs::create_directories(res);
  write_text(log, "1/1 Testing: exercise_05\n1/1 Test: exercise_05\nOutput:\n---\nwrong\n"
                  "<end of output>\nTest time =   0.01 sec\n----------\nTest Failed.\n"
                  "\"exercise_05\" end time: x\n");
  write_text(res / "exercise_05.txt", "passed\n");
  write_text(res / "exercise_02.txt", "not solved yet\n");
  write_text(res / "exercise_03.txt", "nonsense\n");
  setenv("SHUFFLELAB_CTEST_LOG", log.string().c_str(), 1);
  setenv("SHUFFLELAB_EXERCISE_RESULTS", res.string().c_str(), 1);
  LessonsState s;
  const auto now = fs::file_time_type::clock::now();

  fs::last_write_time(log, now - std::chrono::hours(1));  // the log is older: the file wins
  fs::last_write_time(res / "exercise_05.txt", now);
  s.refresh_checks();
  CHECK(s.log_found);
  CHECK(s.results.at("exercise_05") == CheckResult::passed);
  CHECK(s.results.at("exercise_02") == CheckResult::not_solved);  // not in the log at all
  CHECK(s.results.count("exercise_03") == 0);                     // unreadable: ignored

  fs::last_write_time(log, now);  // a newer ctest run: the log wins again
  fs::last_write_time(res / "exercise_05.txt", now - std::chrono::hours(1));
  s.refresh_checks();
  CHECK(s.results.at("exercise_05") == CheckResult::failed);
  unsetenv("SHUFFLELAB_CTEST_LOG");
  unsetenv("SHUFFLELAB_EXERCISE_RESULTS");
  fs::remove_all(dir);
}

TEST_CASE("lessons: every figure a README shows exists, decodes and is under 250 KB") {
  const auto lessons = find_lessons(std::string(SL_SOURCE_DIR) + "/lessons");
  REQUIRE(!lessons.empty());
  int figures = 0;
  for (const LessonInfo& l : lessons)
    for (const char* readme : {"README.md", "README.zh.md"}) {
      const fs::path path = fs::path(l.dir) / readme;
      std::ifstream in(path);
      const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const MdBlock& b : parse_markdown(doc)) {
        if (b.kind != MdKind::image) continue;
        INFO(path.string(), ": ", b.path);
        ++figures;
        const std::string file = image_path(path.string(), b.path);
        const LoadedImage img = load_image_rgba(file);
        CHECK(img.error.empty());  // missing: run scripts/lesson-figures NN
        CHECK(img.w > 0);
        CHECK(!b.alt.empty());  // the caption
        if (img.error.empty()) CHECK(fs::file_size(file) < 250u * 1024u);
      }
    }
  CHECK(figures >= 2);  // lesson 01's, in English and Chinese
  // Every line of a figures.txt has its PNG: scripts/lesson-figures was run after editing it.
  for (const LessonInfo& l : lessons) {
    std::ifstream in(fs::path(l.dir) / "figures.txt");
    for (std::string line; std::getline(in, line);) {
      const std::string name = line.substr(0, line.find_first_of(" \t#"));
      if (name.empty()) continue;
      INFO(l.dir, "/figures.txt: ", name);
      CHECK(fs::exists(fs::path(l.dir) / "figures" / name));
    }
  }
}
