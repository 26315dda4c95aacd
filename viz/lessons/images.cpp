// viz/lessons/images.cpp - PNG decoding (stb_image, the one implementation in sl_viz),
// README-relative paths, fitting and the texture cache of images.h.
#include "viz/lessons/images.h"

#include <algorithm>
#include <filesystem>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace fs = std::filesystem;

namespace sl::viz {

LoadedImage load_image_rgba(const std::string& path) {
  LoadedImage img;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    img.error = "missing";
    return img;
  }
  int channels = 0;
  unsigned char* px = stbi_load(path.c_str(), &img.w, &img.h, &channels, 4);
  if (!px) {
    const char* why = stbi_failure_reason();
    img.error = std::string("cannot decode (") + (why ? why : "unknown") + ")";
    img.w = img.h = 0;
    return img;
  }
  img.rgba.assign(px, px + size_t(img.w) * size_t(img.h) * 4);
  stbi_image_free(px);
  return img;
}

std::string image_path(const std::string& readme_path, const std::string& md_path) {
  const fs::path p(md_path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(readme_path).parent_path() / p).lexically_normal().string();
}

FitSize fit_image(int w, int h, float avail_w, float ui_scale) {
  if (w <= 0 || h <= 0) return {};
  float dw = float(w) * ui_scale, dh = float(h) * ui_scale;
  if (avail_w > 0.f && dw > avail_w) {
    dh *= avail_w / dw;
    dw = avail_w;
  }
  return {dw, dh};
}

void ImageCache::set_backend(Upload upload, Release release) {
  upload_ = std::move(upload);
  release_ = std::move(release);
}

const ImageCache::Entry& ImageCache::get(const std::string& path) {
  auto it = entries_.find(path);
  if (it != entries_.end()) return it->second;
  Entry e;
  LoadedImage img = load_image_rgba(path);
  ++decodes_;
  e.error = img.error;
  if (e.error.empty()) {
    e.w = img.w;
    e.h = img.h;
    e.texture = upload_ ? upload_(img) : 0;
    if (!e.texture) e.error = "cannot upload the texture";
  }
  return entries_.emplace(path, std::move(e)).first->second;
}

void ImageCache::clear() {
  for (auto& [path, e] : entries_)
    if (e.texture && release_) release_(e.texture);
  entries_.clear();
}

}  // namespace sl::viz
