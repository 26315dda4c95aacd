// tests/viz/png_check.cpp - checks a screenshot the app wrote: it loads, has the asked
// size, and is not blank (many distinct colours, no single colour covering nearly all
// of it). Used by tests/viz/screenshots.cmake; prints one line either way.
// usage: png_check FILE.png WIDTH HEIGHT [MIN_COLOURS [MAX_SHARE]]
// MAX_SHARE (default 0.97): the largest fraction one colour may cover, higher for pages
// that are mostly background by design (a tab with one sentence).
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: png_check FILE.png WIDTH HEIGHT [MIN_COLOURS [MAX_SHARE]]\n");
    return 2;
  }
  const int want_w = std::atoi(argv[2]), want_h = std::atoi(argv[3]);
  const int min_colours = argc > 4 ? std::atoi(argv[4]) : 64;
  const double max_share = argc > 5 ? std::atof(argv[5]) : 0.97;
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &comp, 3);
  if (!px) {
    std::fprintf(stderr, "png_check: %s: cannot load (%s)\n", argv[1], stbi_failure_reason());
    return 1;
  }
  std::unordered_map<unsigned, long> count;
  long most = 0;
  for (long i = 0; i < long(w) * h; ++i) {
    const unsigned rgb =
        (unsigned(px[3 * i]) << 16) | (unsigned(px[3 * i + 1]) << 8) | px[3 * i + 2];
    long& c = ++count[rgb];
    if (c > most) most = c;
  }
  stbi_image_free(px);
  const double top_share = double(most) / (double(w) * h);
  std::printf("png_check: %s: %dx%d, %zu distinct colours, most common covers %.1f%%\n", argv[1], w,
              h, count.size(), 100.0 * top_share);
  if (w != want_w || h != want_h) {
    std::fprintf(stderr, "png_check: %s is %dx%d, expected %dx%d\n", argv[1], w, h, want_w, want_h);
    return 1;
  }
  if ((int)count.size() < min_colours || top_share > max_share) {
    std::fprintf(stderr, "png_check: %s looks blank (%zu colours, one covers %.1f%%)\n", argv[1],
                 count.size(), 100.0 * top_share);
    return 1;
  }
  return 0;
}
