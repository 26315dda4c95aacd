// nn/guidelines_configs.cpp - the data side of the guideline experiments: the paper's
// Tables 1-4 typed in once (with the citation), the configuration of every row per device
// and width column, and the sliders' points (G1 any ratio, G2 any g) costed with nn/cost's
// formulas. Not here: running anything (nn/guidelines.cpp).
#include <algorithm>
#include <cmath>

#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"

namespace sl {

// [SECTION] paper
// Ma, Zhang, Zheng, Sun, "ShuffleNet V2: Practical Guidelines for Efficient CNN
// Architecture Design", ECCV 2018, Tables 1-4. GPU: GTX 1080Ti + cuDNN 7.0, batches/s.
// ARM: Snapdragon 810, one thread, images/s. Input 56 x 56, each block stacked 10 times.

const char* guideline_name(Guideline g) {
  static const char* names[] = {"G1", "G2", "G3", "G4"};
  return names[(int)g];
}

const char* guideline_title(Guideline g) {
  switch (g) {
    case Guideline::g1: return "equal channel width minimises MAC";
    case Guideline::g2: return "excessive group convolution increases MAC";
    case Guideline::g3: return "network fragmentation reduces parallelism";
    case Guideline::g4: return "element-wise operations are not negligible";
  }
  return "";
}

bool guideline_from_name(const std::string& name, Guideline* out) {
  for (int i = 0; i < kGuidelineCount; ++i) {
    const std::string n = guideline_name((Guideline)i);
    if (name.size() == 2 && (name[0] == 'G' || name[0] == 'g') && name[1] == n[1]) {
      *out = (Guideline)i;
      return true;
    }
  }
  return false;
}

const PaperTable& paper_table(Guideline g) {
  static const PaperTable t1{Guideline::g1,
                             {"x1", "x2", "x4"},
                             {"x1", "x2", "x4"},
                             {{"1:1", 128, 128, 32, 32, {1480, 723, 232}, {76.2, 21.7, 5.3}},
                              {"1:2", 90, 180, 22, 44, {1296, 586, 206}, {72.9, 20.5, 5.1}},
                              {"1:6", 52, 312, 13, 78, {876, 489, 189}, {69.1, 17.9, 4.6}},
                              {"1:12", 36, 432, 9, 108, {748, 392, 163}, {57.6, 15.1, 4.4}}}};
  static const PaperTable t2{Guideline::g2,
                             {"x1", "x2", "x4"},
                             {"x1", "x2", "x4"},
                             {{"g=1", 128, 128, 64, 64, {2451, 1289, 437}, {40.0, 10.2, 2.3}},
                              {"g=2", 180, 180, 90, 90, {1725, 873, 341}, {35.0, 9.5, 2.2}},
                              {"g=4", 256, 256, 128, 128, {1026, 644, 338}, {32.9, 8.7, 2.1}},
                              {"g=8", 360, 360, 180, 180, {634, 445, 230}, {27.8, 7.5, 1.8}}}};
  static const PaperTable t3{
      Guideline::g3,
      {"c=128", "c=256", "c=512"},
      {"c=64", "c=128", "c=256"},
      {{"1-fragment", 128, 128, 64, 64, {2446, 1274, 434}, {40.2, 10.1, 2.3}},
       {"2-fragment-series", 128, 128, 64, 64, {1790, 909, 336}, {38.6, 10.1, 2.2}},
       {"4-fragment-series", 128, 128, 64, 64, {752, 745, 349}, {38.4, 10.1, 2.3}},
       {"2-fragment-parallel", 128, 128, 64, 64, {1537, 803, 320}, {33.4, 9.1, 2.2}},
       {"4-fragment-parallel", 128, 128, 64, 64, {691, 572, 292}, {35.0, 8.4, 2.1}}}};
  static const PaperTable t4{
      Guideline::g4,
      {"c=32", "c=64", "c=128"},
      {"c=32", "c=64", "c=128"},
      {{"ReLU yes, shortcut yes", 32, 32, 32, 32, {2427, 2066, 1436}, {56.7, 16.9, 5.0}},
       {"ReLU yes, shortcut no", 32, 32, 32, 32, {2647, 2256, 1735}, {61.9, 18.8, 5.2}},
       {"ReLU no, shortcut yes", 32, 32, 32, 32, {2672, 2121, 1458}, {57.3, 18.2, 5.1}},
       {"ReLU no, shortcut no", 32, 32, 32, 32, {2842, 2376, 1782}, {66.3, 20.2, 5.4}}}};
  static const PaperTable* tables[] = {&t1, &t2, &t3, &t4};
  return *tables[(int)g];
}

// [SECTION] configs

std::vector<GuidelineConfig> guideline_configs(Guideline g, Device device, int col, int64_t batch) {
  SL_CHECK(col >= 0 && col < 3, "guideline_configs: width column must be 0, 1 or 2, got ", col);
  const PaperTable& t = paper_table(g);
  const bool gpu = device == Device::cuda;
  const int64_t scale = int64_t(1) << col;  // x1, x2, x4; G3 and G4 columns also double c
  std::vector<GuidelineConfig> out;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const PaperRow& p = t.rows[r];
    GuidelineConfig c;
    c.guideline = g;
    c.label = p.label;
    c.width = gpu ? t.columns_gpu[col] : t.columns_arm[col];
    c.c1 = (gpu ? p.gpu_c1 : p.arm_c1) * scale;
    c.c2 = (gpu ? p.gpu_c2 : p.arm_c2) * scale;
    c.batch = batch;
    if (g == Guideline::g2) {
      c.groups = int64_t(1) << r;  // 1, 2, 4, 8
      // The paper's ARM c = 180 at g = 8 is not divisible by 8: take the multiple of g whose
      // FLOPs are nearest the g = 1 row's (184, +3.3%).
      if (c.c1 % c.groups != 0)
        c.c1 = c.c2 = g2_point(c.groups, c.hw, c.hw * c.hw * out[0].c1 * out[0].c1).c;
    }
    if (g == Guideline::g3) {
      static const int frags[] = {1, 2, 4, 2, 4};
      c.fragments = frags[r];
      c.parallel = r >= 3;
    }
    if (g == Guideline::g4) {
      c.relu = r < 2;
      c.shortcut = r % 2 == 0;
    }
    out.push_back(c);
  }
  return out;
}

int64_t g3_series_width(const GuidelineConfig& c) {
  return std::llround(double(c.c1) / std::sqrt(double(c.fragments)));
}

// [SECTION] points

double g1_mac_lower_bound(int64_t hw, double madds) {
  const double area = double(hw) * double(hw);
  return 2.0 * std::sqrt(area * madds) + madds / area;
}

G1Point g1_point(double ratio, int64_t hw, int64_t madds_budget) {
  SL_CHECK(ratio > 0 && hw > 0 && madds_budget > 0, "g1_point: needs ratio, hw and budget > 0");
  G1Point p{};
  p.ratio = ratio;
  const double c1 = std::sqrt(double(madds_budget) / (double(hw * hw) * ratio));
  p.c1 = std::max<int64_t>(1, std::llround(c1));
  p.c2 = std::max<int64_t>(1, std::llround(c1 * ratio));
  const Conv2dShape s = conv2d_shape({1, p.c1, hw, hw}, {p.c2, p.c1, 1, 1}, {});
  p.madds = conv2d_madds(s);
  p.mac = conv2d_mac(s);
  p.mac_lower_bound = g1_mac_lower_bound(hw, double(p.madds));
  return p;
}

G2Point g2_point(int64_t groups, int64_t hw, int64_t madds_budget) {
  SL_CHECK(groups >= 1 && hw > 0 && madds_budget > 0, "g2_point: needs groups, hw and budget > 0");
  const double c = std::sqrt(double(groups) * double(madds_budget) / double(hw * hw));
  G2Point p{};
  p.groups = groups;
  p.c = std::max<int64_t>(groups, std::llround(c / double(groups)) * groups);
  const Conv2dShape s =
      conv2d_shape({1, p.c, hw, hw}, {p.c, p.c / groups, 1, 1}, {.groups = groups});
  p.madds = conv2d_madds(s);
  p.mac = conv2d_mac(s);
  return p;
}

}  // namespace sl
