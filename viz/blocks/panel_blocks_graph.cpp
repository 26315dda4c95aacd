// viz/blocks/panel_blocks_graph.cpp - draws one unit as the papers draw it (V1 Fig. 2,
// V2 Fig. 3): a box per op with its kind, output shape, params, MAdds, MAC and measured
// time, arrows down the branches, the identity shortcut around them. Hover a box for the
// formulas behind its numbers; click it to highlight its row in the table. The layout
// (which op goes where) comes from build_unit_graph (blocks_graph.cpp); numbers from the
// Profile, i.e. nn/cost.
#include <algorithm>
#include <cmath>

#include "viz/blocks/panel_blocks.h"
#include "viz/i18n.h"

namespace sl::viz {

namespace {

// How nn/cost counts each kind of op, for the hover card.
const char* cost_formula(const LayerCost& l) {
  if (l.type == "conv2d")
    return "MAdds = N\xC2\xB7H_out\xC2\xB7W_out\xC2\xB7"
           "C_out\xC2\xB7(C_in/G)\xC2\xB7K\xC2\xB7K\n"
           "MAC = N\xC2\xB7(H\xC2\xB7W\xC2\xB7"
           "C_in + H_out\xC2\xB7W_out\xC2\xB7"
           "C_out) + "
           "K\xC2\xB7K\xC2\xB7"
           "C_in\xC2\xB7"
           "C_out/G   (input + output + weights)\n"
           "params = K\xC2\xB7K\xC2\xB7"
           "C_in\xC2\xB7"
           "C_out/G";
  if (l.type == "linear")
    return "MAdds = N\xC2\xB7I\xC2\xB7O\nMAC = N\xC2\xB7I + N\xC2\xB7O + I\xC2\xB7O + O\nparams = "
           "I\xC2\xB7O + O";
  if (l.type == "batch_norm")
    return "MAdds = 0 (the papers count conv and linear only)\nMAC = 2\xC2\xB7numel (read x, write "
           "y)\n"
           "params = 2\xC2\xB7"
           "C (scale and shift)";
  if (l.type == "add") return "MAdds = 0\nMAC = 3\xC2\xB7numel (read a and b, write the sum)";
  if (l.type == "channel_split")
    return "MAdds = 0\nMAC = 0: the two halves are views of x, nothing is copied";
  return "MAdds = 0 (the papers count conv and linear only)\nMAC = elements read + written";
}

ImU32 category_color(const std::string& c) {
  if (c == "conv 1x1") return group_color(0, 10);
  if (c == "conv kxk") return group_color(7, 10);
  if (c == "grouped 1x1") return group_color(3, 10);
  if (c == "depthwise") return group_color(4, 10);
  if (c == "linear") return group_color(8, 10);
  if (c == "batchnorm") return group_color(1, 10);
  if (c == "relu") return group_color(5, 10);
  if (c == "element-wise") return group_color(2, 10);
  if (c == "data movement") return group_color(6, 10);
  return group_color(9, 10);  // pools
}

void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float sc) {
  // Elbow: down, across, down; arrowhead at b.
  if (std::fabs(a.x - b.x) < 1.f) {
    dl->AddLine(a, ImVec2(b.x, b.y - 5 * sc), col, 1.4f * sc);
  } else {
    const float mid = b.y - std::min(10 * sc, (b.y - a.y) * 0.5f);
    dl->AddLine(a, ImVec2(a.x, mid), col, 1.4f * sc);
    dl->AddLine(ImVec2(a.x, mid), ImVec2(b.x, mid), col, 1.4f * sc);
    dl->AddLine(ImVec2(b.x, mid), ImVec2(b.x, b.y - 5 * sc), col, 1.4f * sc);
  }
  dl->AddTriangleFilled(ImVec2(b.x - 4 * sc, b.y - 6 * sc), ImVec2(b.x + 4 * sc, b.y - 6 * sc), b,
                        col);
}

}  // namespace

ImU32 blocks_category_color(const std::string& category) { return category_color(category); }

// Draws graph g of profile p into a size-sized area at the cursor. `table_rows_of_p`:
// clicking a node selects its layer in the table (false for Fig. 2 (a), whose network,
// v1-g1, is not the one in the table).
void draw_unit_graph(AppState& app, const Profile& p, const UnitGraph& g, ImVec2 size,
                     bool table_rows_of_p) {
  BlocksState& s = app.blocks;
  const float sc = app.scale;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  if (g.nodes.empty()) return;
  const Ink& k = ink();
  ImFont* small = fonts().small;
  const float line = small->FontSize + 1 * sc;
  // Rows: the input pill takes half a row; the others share what is left.
  const float pitch = std::min(74 * sc, size.y / (float(g.rows) - 0.45f));
  const float gap = std::clamp(pitch * 0.18f, 6 * sc, 16 * sc);
  const float box_h = pitch - gap;
  const int lines = std::clamp(int((box_h - 3 * sc) / line), 1, 3);
  auto row_top = [&](int row) { return o.y + (row == 0 ? 0.f : (float(row) - 0.45f) * pitch); };
  auto rect = [&](const UnitNode& n, ImVec2* lo, ImVec2* hi) {
    const float h = n.layer < 0 ? std::min(box_h, line + 8 * sc) : box_h;
    *lo = ImVec2(o.x + (n.x - n.w / 2) * size.x, row_top(n.row));
    *hi = ImVec2(o.x + (n.x + n.w / 2) * size.x, row_top(n.row) + h);
  };
  double unit_max_ms = 0;
  for (const UnitNode& n : g.nodes)
    if (n.layer >= 0) unit_max_ms = std::max(unit_max_ms, p.layers[(size_t)n.layer].time_ms);

  // Edges first, under the boxes.
  for (const UnitEdge& e : g.edges) {
    ImVec2 alo, ahi, blo, bhi;
    rect(g.nodes[(size_t)e.from], &alo, &ahi);
    rect(g.nodes[(size_t)e.to], &blo, &bhi);
    if (e.shortcut && g.shortcut_x > 0) {  // around the branch on the left, into the merge's side
      const float x = o.x + g.shortcut_x * size.x, ya = (alo.y + ahi.y) * 0.5f,
                  yb = (blo.y + bhi.y) * 0.5f;
      dl->AddLine(ImVec2(alo.x, ya), ImVec2(x, ya), k.dim, 1.4f * sc);
      dl->AddLine(ImVec2(x, ya), ImVec2(x, yb), k.dim, 1.4f * sc);
      dl->AddLine(ImVec2(x, yb), ImVec2(blo.x - 5 * sc, yb), k.dim, 1.4f * sc);
      dl->AddTriangleFilled(ImVec2(blo.x - 6 * sc, yb - 4 * sc),
                            ImVec2(blo.x - 6 * sc, yb + 4 * sc), ImVec2(blo.x, yb), k.dim);
      ImGui::PushFont(small);
      const char* t = "identity";
      const ImVec2 ts = ImGui::CalcTextSize(t);
      dl->AddText(ImVec2(x + 4 * sc, (ya + yb) * 0.5f - ts.y * 0.5f), k.dim, t);
      ImGui::PopFont();
      continue;
    }
    arrow(dl, ImVec2((alo.x + ahi.x) * 0.5f, ahi.y), ImVec2((blo.x + bhi.x) * 0.5f, blo.y), k.dim,
          sc);
  }

  // Boxes.
  ImGui::PushFont(small);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  for (const UnitNode& n : g.nodes) {
    ImVec2 lo, hi;
    rect(n, &lo, &hi);
    const float pad = 6 * sc;
    if (n.layer < 0) {  // the unit's input
      dl->AddRectFilled(lo, hi, k.code_bg, (hi.y - lo.y) * 0.5f);
      dl->AddRect(lo, hi, k.border, (hi.y - lo.y) * 0.5f);
      const std::string t = "input  " + dims_str(n.shape);
      const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
      dl->AddText(ImVec2((lo.x + hi.x - ts.x) * 0.5f, (lo.y + hi.y - ts.y) * 0.5f), k.dim,
                  t.c_str());
      continue;
    }
    const LayerCost& l = p.layers[(size_t)n.layer];
    const ImU32 cc = category_color(l.category);
    const bool sel = table_rows_of_p && s.selected_first >= 0 && n.layer >= s.selected_first &&
                     n.layer < s.selected_first + s.selected_count;
    const bool hover = mouse.x >= lo.x && mouse.x < hi.x && mouse.y >= lo.y && mouse.y < hi.y &&
                       ImGui::IsWindowHovered();
    dl->AddRectFilled(lo, hi, mix(k.card, cc, theme_is_dark() ? 0.20f : 0.13f), 5 * sc);
    dl->AddRectFilled(lo, ImVec2(lo.x + 4 * sc, hi.y), cc, 5 * sc, ImDrawFlags_RoundCornersLeft);
    dl->AddRect(lo, hi,
                sel     ? k.accent
                : hover ? k.text
                        : with_alpha(cc, 0.8f),
                5 * sc, 0, (sel ? 2.5f : 1.f) * sc);
    // A bar along the bottom: this op's time against the slowest op of the unit.
    if (unit_max_ms > 0)
      dl->AddRectFilled(
          ImVec2(lo.x + 4 * sc, hi.y - 3 * sc),
          ImVec2(lo.x + 4 * sc + float(l.time_ms / unit_max_ms) * (hi.x - lo.x - 4 * sc), hi.y),
          l.madds == 0 ? k.warn : k.accent, 2 * sc);
    const float x0 = lo.x + pad + 2 * sc, x1 = hi.x - pad;
    float y = lo.y + std::max(1 * sc, (hi.y - lo.y - 3 * sc - lines * line) * 0.5f);
    auto row2 = [&](const std::string& left, const std::string& right, ImU32 lc, ImU32 rc) {
      const float rw = ImGui::CalcTextSize(right.c_str()).x;
      dl->PushClipRect(ImVec2(x0, lo.y), ImVec2(x1 - rw - 4 * sc, hi.y), true);
      dl->AddText(ImVec2(x0, y), lc, left.c_str());
      dl->PopClipRect();
      dl->AddText(ImVec2(x1 - rw, y), rc, right.c_str());
      y += line;
    };
    const std::string time = ms_str(l.time_ms) + " ms";
    const ImU32 time_col = l.madds == 0 && l.time_ms > 0 ? k.warn : k.text;
    row2(n.label, time, k.text, time_col);
    if (lines >= 3) {
      row2(dims_str(l.out_shape), si((double)l.params) + " params", k.dim, k.dim);
      row2(si((double)l.madds) + " MAdds", si((double)l.mac) + " MAC", l.madds ? k.text : k.dim,
           k.dim);
    } else if (lines == 2) {
      row2(dims_str(l.out_shape), si((double)l.madds) + " MAdds", k.dim,
           k.dim);  // the rest on hover
    }
    if (hover) {
      ImGui::PopFont();
      ImGui::BeginTooltip();
      ImGui::PushFont(fonts().bold);
      ImGui::Text("%s   %s", n.label.c_str(), l.name.c_str());
      ImGui::PopFont();
      ImGui::TextDisabled(tr("kind %s, category %s"), l.kind.c_str(), l.category.c_str());
      ImGui::Text(tr("output %s"), shape_str(l.out_shape).c_str());
      ImGui::Text(tr("params %s   MAdds %s   MAC %s"), grouped(l.params).c_str(),
                  grouped(l.madds).c_str(), grouped(l.mac).c_str());
      ImGui::Text(tr("time %s ms (median), %s .. %s over the timed runs"),
                  ms_str(l.time_ms).c_str(), ms_str(l.time_min_ms).c_str(),
                  ms_str(l.time_max_ms).c_str());
      ImGui::Separator();
      ImGui::PushFont(fonts().mono);
      ImGui::TextUnformatted(tr(cost_formula(l)));
      ImGui::PopFont();
      ImGui::TextDisabled(
          "%s", tr("time: device synchronized before and after the op; median of the timed runs"));
      if (table_rows_of_p) ImGui::TextDisabled("%s", tr("click: highlight its row in the table"));
      ImGui::EndTooltip();
      ImGui::PushFont(small);
      if (ImGui::IsMouseClicked(0) && table_rows_of_p) {
        s.select_layers(n.layer, 1);
        s.right_tab_request = 0;
      }
    }
  }
  ImGui::PopFont();
}

}  // namespace sl::viz
