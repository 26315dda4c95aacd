// viz/blocks/blocks_graph.cpp - the papers' unit figures built from a real unit's layers:
// ShuffleNet V1 Fig. 2 (a) bottleneck, (b) stride 1, (c) stride 2; ShuffleNet V2 Fig. 3
// (c) basic, (d) down-sampling. One node per op recorded by nn/cost, laid out in lanes
// like the figures (main branch, shortcut or second branch, the merge below both); and the
// seed article's FLOPs formulas for the same unit beside nn/cost's count. Drawing is in
// panel_blocks_graph.cpp; this file decides only what goes where.
#include <algorithm>

#include "viz/blocks/blocks_state.h"

namespace sl::viz {

const char* figure_caption(UnitFigure f) {
  switch (f) {
    case UnitFigure::v1_a: return "ShuffleNet V1 Fig. 2 (a): bottleneck unit with depthwise conv";
    case UnitFigure::v1_b: return "ShuffleNet V1 Fig. 2 (b): ShuffleNet unit, stride 1";
    case UnitFigure::v1_c: return "ShuffleNet V1 Fig. 2 (c): ShuffleNet unit, stride 2";
    case UnitFigure::v2_c: return "ShuffleNet V2 Fig. 3 (c): basic unit";
    case UnitFigure::v2_d: return "ShuffleNet V2 Fig. 3 (d): unit for spatial down-sampling";
  }
  return "";
}

const char* figure_tag(UnitFigure f) {
  switch (f) {
    case UnitFigure::v1_a: return "(a)";
    case UnitFigure::v1_b: return "(b)";
    case UnitFigure::v1_c:
    case UnitFigure::v2_c: return "(c)";
    case UnitFigure::v2_d: return "(d)";
  }
  return "";
}

// nn/cost's short kind ("1x1 g=3", "3x3 dw s2") in the papers' words ("1x1 GConv g=3").
std::string paper_label(const LayerCost& l) {
  const std::string& k = l.kind;
  auto starts = [&](const char* s) { return k.rfind(s, 0) == 0; };
  auto stride = [&]() -> std::string {
    return k.size() >= 2 && k.substr(k.size() - 2) == "s2" ? " s2" : "";
  };
  if (starts("3x3 dw")) return "3x3 DWConv" + stride();
  if (starts("1x1 g=")) return "1x1 GConv " + k.substr(4);
  if (k == "1x1") return "1x1 Conv";
  if (starts("3x3 s")) return "3x3 Conv" + stride();
  if (k == "bn") return "BN";
  if (k == "relu") return "ReLU";
  if (k == "add") return "Add";
  if (k == "concat") return "Concat";
  if (k == "split") return "Channel Split";
  if (k == "shuffle") return "Channel Shuffle";
  if (starts("avgpool")) return "3x3 AVG Pool" + stride();
  if (starts("maxpool")) return "3x3 Max Pool" + stride();
  if (k == "global avgpool") return "Global Avg Pool";
  if (k == "linear") return "FC";
  return k.empty() ? l.type : k;
}

// [SECTION] which figure a block is

namespace {

enum class Lane { main, side, split, merge };

bool is_merge(const LayerCost& l) { return l.kind == "add" || l.kind == "concat"; }

Lane lane_of(const LayerCost& l) {
  if (l.kind == "split") return Lane::split;
  if (is_merge(l)) return Lane::merge;
  if (l.name.find(".branch1.") != std::string::npos || l.kind.rfind("avgpool", 0) == 0)
    return Lane::side;
  return Lane::main;
}

bool is_unit(const Profile& p, int block) {
  return block >= 0 && block < (int)p.blocks.size() &&
         p.blocks[(size_t)block].name.rfind("stage", 0) == 0;
}

template <class F>
void for_layers(const Profile& p, int block, F f) {
  const BlockCost& b = p.blocks[(size_t)block];
  for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i) f(i, p.layers[(size_t)i]);
}

}  // namespace

UnitFigure figure_of_block(const Profile& p, int block, bool bottleneck_twin) {
  bool branch1 = false, split = false, avgpool = false;
  for_layers(p, block, [&](int, const LayerCost& l) {
    branch1 = branch1 || l.name.find(".branch1.") != std::string::npos;
    split = split || l.kind == "split";
    avgpool = avgpool || l.kind.rfind("avgpool", 0) == 0;
  });
  if (branch1) return UnitFigure::v2_d;
  if (split) return UnitFigure::v2_c;
  if (avgpool) return UnitFigure::v1_c;
  return bottleneck_twin ? UnitFigure::v1_a : UnitFigure::v1_b;
}

std::vector<int> unit_blocks(const Profile& p, UnitFigure f) {
  std::vector<int> out;
  for (int b = 0; b < (int)p.blocks.size(); ++b)
    if (is_unit(p, b) && figure_of_block(p, b, f == UnitFigure::v1_a) == f) out.push_back(b);
  return out;
}

// [SECTION] layout
// Rows from the top: the unit's input, then the split (V2 (c)), the branches side by side,
// the merge (Add or Concat) and what follows it. x and w are fractions of the width.

UnitGraph build_unit_graph(const Profile& p, int block, UnitFigure f) {
  UnitGraph g;
  g.figure = f;
  if (!is_unit(p, block)) return g;
  const BlockCost& b = p.blocks[(size_t)block];
  g.block = b.name;
  g.block_index = block;
  struct Place {
    float x, w;
  };
  Place main{0.58f, 0.64f}, side{0.17f, 0.30f}, merge{0.58f, 0.64f}, input{0.58f, 0.40f};
  switch (f) {
    case UnitFigure::v1_a:
    case UnitFigure::v1_b: g.shortcut_x = 0.10f; break;
    case UnitFigure::v1_c:
      main = {0.70f, 0.56f}, side = {0.20f, 0.38f}, merge = {0.55f, 0.56f}, input = {0.55f, 0.40f};
      break;
    case UnitFigure::v2_c:
      main = {0.62f, 0.66f}, merge = {0.5f, 0.64f}, input = {0.5f, 0.5f}, g.shortcut_x = 0.08f;
      break;
    case UnitFigure::v2_d:
      main = {0.755f, 0.48f}, side = {0.245f, 0.48f}, merge = input = {0.5f, 0.48f};
      break;
  }
  // The unit's input: the output of the layer before it, or the network's input.
  UnitNode in;
  in.label = "input";
  in.x = input.x;
  in.w = input.w;
  in.shape = b.first_layer > 0 ? p.layers[size_t(b.first_layer - 1)].out_shape : p.input;
  g.nodes.push_back(in);

  std::vector<int> mains, sides, posts;
  int split = -1, merged = -1;
  for_layers(p, block, [&](int i, const LayerCost& l) {
    UnitNode n;
    n.layer = i;
    n.label = paper_label(l);
    n.shape = l.out_shape;
    const Lane lane = merged >= 0 ? Lane::merge : lane_of(l);
    Place at = lane == Lane::main ? main : lane == Lane::side ? side : merge;
    n.x = at.x;
    n.w = at.w;
    g.nodes.push_back(n);
    const int id = (int)g.nodes.size() - 1;
    if (lane == Lane::split)
      split = id;
    else if (merged >= 0)
      posts.push_back(id);
    else if (lane == Lane::merge)
      merged = id;
    else
      (lane == Lane::main ? mains : sides).push_back(id);
  });

  // Rows.
  const int top = split >= 0 ? 2 : 1;
  if (split >= 0) g.nodes[(size_t)split].row = 1;
  for (size_t k = 0; k < mains.size(); ++k) g.nodes[(size_t)mains[k]].row = top + (int)k;
  const bool pool_side = f == UnitFigure::v1_c;  // Fig. 2 (c) draws the pool halfway down
  for (size_t k = 0; k < sides.size(); ++k)
    g.nodes[(size_t)sides[k]].row =
        pool_side ? top + std::max(0, (int)mains.size() - 1) / 2 : top + (int)k;
  int row = top + (int)std::max(mains.size(), sides.size());
  if (merged >= 0) g.nodes[(size_t)merged].row = row++;
  for (int id : posts) g.nodes[(size_t)id].row = row++;
  g.rows = row;

  // Edges: down each lane, the lanes into the merge, the merge down the tail.
  const int source = split >= 0 ? split : 0;
  if (split >= 0) g.edges.push_back({0, split});
  auto chain = [&](const std::vector<int>& lane) {
    int from = source;
    for (int id : lane) {
      g.edges.push_back({from, id});
      from = id;
    }
    if (merged >= 0) g.edges.push_back({from, merged, lane.empty()});
  };
  chain(mains);
  if (!sides.empty() ||
      (merged >= 0 && (f == UnitFigure::v1_a || f == UnitFigure::v1_b || f == UnitFigure::v2_c)))
    chain(sides);  // an empty side lane is the identity shortcut
  int from = merged;
  for (int id : posts) {
    g.edges.push_back({from, id});
    from = id;
  }
  return g;
}

// [SECTION] the seed article's formulas

namespace {

bool is_conv(const LayerCost& l) {
  return l.category == "conv 1x1" || l.category == "grouped 1x1" || l.category == "depthwise" ||
         l.category == "conv kxk";
}

}  // namespace

UnitFormulas v1_unit_formulas(const Profile& p, int block, int groups) {
  UnitFormulas u;
  if (!is_unit(p, block) || figure_of_block(p, block) != UnitFigure::v1_b) {
    u.why_not = "the formulas describe a stride-1 unit of ShuffleNet V1 (Fig. 2 (b))";
    return u;
  }
  u.block = p.blocks[(size_t)block].name;
  std::vector<const LayerCost*> convs;
  for_layers(p, block, [&](int, const LayerCost& l) {
    if (is_conv(l)) convs.push_back(&l);
  });
  if (convs.size() != 3) {
    u.why_not = u.block + " has " + std::to_string(convs.size()) + " convolutions, not 3";
    return u;
  }
  const Shape& s1 = convs[0]->out_shape;  // [N, m, h, w]
  const Shape& s3 = convs[2]->out_shape;  // [N, c, h, w]: stride 1 keeps c
  u.n = s1[0];
  u.m = s1[1];
  u.h = s1[2];
  u.w = s1[3];
  u.c = s3[1];
  u.g = groups;
  const int64_t nhw = u.n * u.h * u.w, c = u.c, m = u.m, g = u.g;
  u.resnet = nhw * (2 * c * m + 9 * m * m);
  u.resnext = nhw * (2 * c * m + 9 * m * m / g);
  u.shufflenet = nhw * (2 * c * m / g + 9 * m);
  for (int k = 0; k < 3; ++k) {
    u.measured_conv[k] = convs[(size_t)k]->madds;
    u.measured += convs[(size_t)k]->madds;
  }
  u.ok = true;
  return u;
}

V2Formula v2_unit_formula(const Profile& p, int block) {
  V2Formula v;
  if (!is_unit(p, block) || figure_of_block(p, block) != UnitFigure::v2_c) return v;
  v.block = p.blocks[(size_t)block].name;
  const LayerCost* first = nullptr;
  for_layers(p, block, [&](int, const LayerCost& l) {
    if (!is_conv(l)) return;
    if (!first) first = &l;
    v.measured += l.madds;
  });
  if (!first) return v;
  const Shape& s = first->out_shape;  // [N, b, h, w]
  v.n = s[0];
  v.b = s[1];
  v.h = s[2];
  v.w = s[3];
  v.formula = v.n * v.h * v.w * (2 * v.b * v.b + 9 * v.b);
  v.ok = true;
  return v;
}

}  // namespace sl::viz
