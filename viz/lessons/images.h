// viz/lessons/images.h - the figures of the lesson READMEs (![caption](figures/x.png)):
// PNG decoding with stb_image, the path relative to the README, the size that fits the
// panel, and a cache that decodes each file once and keeps its texture. The cache does
// no OpenGL itself: the panel hands it an upload and a release function, so the tests
// run it without a window. Not here: drawing the image and its caption (panel_lessons.cpp).
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sl::viz {

struct LoadedImage {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;  // w * h * 4 bytes, rows from the top
  std::string error;                // "" when loaded; "missing" when there is no such file
};

// Decodes a PNG (or any format stb_image reads) into RGBA8.
LoadedImage load_image_rgba(const std::string& path);

// The file an image of a README points at: `md_path` as written, relative to the folder
// of `readme_path` unless it is absolute.
std::string image_path(const std::string& readme_path, const std::string& md_path);

// The drawn size of a w x h image: its natural size times the UI scale, shrunk
// (keeping the aspect ratio) to at most avail_w wide.
struct FitSize {
  float w = 0.f, h = 0.f;
};
FitSize fit_image(int w, int h, float avail_w, float ui_scale);

class ImageCache {
 public:
  // upload: RGBA8 -> a texture id (0 when it failed); release: frees one texture id.
  using Upload = std::function<unsigned(const LoadedImage&)>;
  using Release = std::function<void(unsigned)>;
  struct Entry {
    unsigned texture = 0;
    int w = 0, h = 0;
    std::string error;  // "" when texture is valid
  };

  ImageCache() = default;
  void set_backend(Upload upload, Release release);
  // The image at `path`, decoded and uploaded the first time it is asked for.
  const Entry& get(const std::string& path);
  // Releases every texture (the OpenGL context must still be current) and forgets all.
  void clear();
  size_t size() const { return entries_.size(); }
  int decodes() const { return decodes_; }  // files decoded so far (for the tests)

 private:
  Upload upload_;
  Release release_;
  std::map<std::string, Entry> entries_;
  int decodes_ = 0;
};

}  // namespace sl::viz
