// viz/blocks/panel_blocks_table.cpp - the Blocks panel's "Network" tab (every layer,
// block or stage of the forward pass: sortable, shares of MAdds, MAC and time side by side,
// copy as CSV or Markdown) and its "By category" tab (stacked bars of the three shares by
// op category, as the V2 paper's Fig. 2, and their table). Rows from blocks_rows.cpp.
#include <algorithm>

#include "viz/blocks/panel_blocks.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] table

void draw_blocks_table(AppState& app) {
  BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  int level = (int)s.level;
  ImGui::RadioButton(trid("layers").c_str(), &level, 0);
  ImGui::SameLine();
  ImGui::RadioButton(trid("blocks").c_str(), &level, 1);
  ImGui::SameLine();
  ImGui::RadioButton(trid("stages").c_str(), &level, 2);
  s.level = (TableLevel)level;
  std::vector<TableRow> rows = table_rows(p, s.level);
  ImGui::SameLine(0, 18);
  ImGui::TextDisabled("%s", tr("copy as"));
  ImGui::SameLine();
  if (ImGui::SmallButton("CSV")) {
    ImGui::SetClipboardText(table_text(p, rows, false).c_str());
    blocks_toast(app, tr("copied the table as CSV"));
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Markdown")) {
    ImGui::SetClipboardText(table_text(p, rows, true).c_str());
    blocks_toast(app, tr("copied the table as a Markdown table"));
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("PNG")) app.png_request = "shufflelab-blocks-" + p.model + ".png";
  help_marker(tr("Click a header to sort; click a row to select it (and its unit in the figure). "
                 "Rows in orange do no MAdds but take measurable time."));

  static const char* names[] = {"name",      "kind",    "%MAdds", "%MAC",       "%time",
                                "MAdds (?)", "MAC (?)", "ms (?)", "params (?)", "output"};
  static const char* helps[] = {
      nullptr, "nn/cost's short label of the op", "share of MAdds = row MAdds / network MAdds",
      "share of MAC = row MAC / network MAC",
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one sentence over two lines
      "share of time = row time / network time (sums of medians); orange: 0 MAdds but "
      "measurable time",
      kBlocksMaddsHelp, kBlocksMacHelp, kBlocksTimeHelp, kBlocksParamsHelp,
      "output shape N x C x H x W"};
  static const TableColumn cols[] = {TableColumn::name,        TableColumn::kind,
                                     TableColumn::share_madds, TableColumn::share_mac,
                                     TableColumn::share_time,  TableColumn::madds,
                                     TableColumn::mac,         TableColumn::time,
                                     TableColumn::params,      TableColumn::shape};
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_RowBg | ImGuiTableFlags_Sortable |
                                ImGuiTableFlags_SortTristate | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  if (!ImGui::BeginTable("net", 10, flags,
                         ImVec2(0, ImGui::GetContentRegionAvail().y - row_h * 1.4f)))
    return;
  ImGui::TableSetupScrollFreeze(1, 1);
  const float em = ImGui::GetFontSize();
  for (int i = 0; i < 10; ++i) {
    const float w = i == 0             ? em * (s.level == TableLevel::layers ? 8.8f : 5.f)
                    : i == 1           ? em * 5.2f
                    : i >= 2 && i <= 4 ? em * 4.5f
                                       : 0.f;  // 0: fit the contents
    ImGui::TableSetupColumn(tr(names[i]), i == 0 ? ImGuiTableColumnFlags_NoHide : 0, w,
                            (ImGuiID)cols[i]);
  }
  if (ImGuiTableSortSpecs* ss = ImGui::TableGetSortSpecs()) {
    if (ss->SpecsCount > 0) {
      s.sort_col = (TableColumn)ss->Specs[0].ColumnUserID;
      s.sort_ascending = ss->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    } else {
      s.sort_col = TableColumn::order;
      s.sort_ascending = true;
    }
  }
  sort_rows(rows, s.sort_col, s.sort_ascending);
  blocks_header_row(names, helps, 10);
  const Ink& k = ink();
  for (const TableRow& r : rows) {
    ImGui::TableNextRow();
    const bool sel = s.selected_first >= 0 && r.first_layer < s.selected_first + s.selected_count &&
                     s.selected_first < r.first_layer + r.num_layers;
    if (sel) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, k.accent_soft);
    ImGui::TableNextColumn();
    if (sel && s.scroll_to_selection) {
      ImGui::SetScrollHereY(0.3f);
      s.scroll_to_selection = false;
    }
    if (ImGui::Selectable(r.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) {
      s.selected_first = r.first_layer;
      s.selected_count = r.num_layers;
      // Show the row's unit in the figure when it is one.
      const std::string blk = block_of(p.layers[(size_t)r.first_layer].name);
      for (int b = 0; b < (int)p.blocks.size(); ++b)
        if (p.blocks[(size_t)b].name == blk && blk.rfind("stage", 0) == 0) {
          s.figure = figure_of_block(p, b);
          s.unit_block = b;
        }
    }
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.kind.c_str());
    ImGui::TableNextColumn();
    blocks_share_cell(r.share_madds, k.accent, false);
    ImGui::TableNextColumn();
    blocks_share_cell(r.share_mac, k.dim, false);
    ImGui::TableNextColumn();
    blocks_share_cell(r.share_time, r.free_but_slow ? k.warn : k.accent, r.free_but_slow);
    ImGui::TableNextColumn();
    if (r.madds)
      ImGui::TextUnformatted(grouped(r.madds).c_str());
    else
      ImGui::TextDisabled("0");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(grouped(r.mac).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(blocks_time_cell(p, r.time_ms).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(grouped(r.params).c_str());
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", r.shape.c_str());
  }
  ImGui::EndTable();
  ImGui::PushFont(fonts().bold);
  ImGui::Text(tr("total   %s MAdds   %s MAC   %s ms   %s params"), si((double)p.madds).c_str(),
              si((double)p.mac).c_str(), blocks_time_cell(p, p.time_ms).c_str(),
              si((double)p.params).c_str());
  ImGui::PopFont();
  help_marker(
      tr("Sums over every layer of the forward pass: the same numbers as `shufflelab profile`."));
}

// [SECTION] categories

static void stacked_bar(const char* label, const CategorySummary& cs, double CategoryRow::*share,
                        float w) {
  const float h = ImGui::GetTextLineHeight() * 1.5f, lw = ImGui::GetFontSize() * 4.f;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(lw);
  const ImVec2 a = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float x = a.x;
  const float bw = w - lw;
  for (const CategoryRow& r : cs.rows) {
    const float seg = bw * float(r.*share);
    if (seg <= 0) continue;
    dl->AddRectFilled(ImVec2(x, a.y), ImVec2(x + seg, a.y + h), blocks_category_color(r.category));
    if (ImGui::IsMouseHoveringRect(ImVec2(x, a.y), ImVec2(x + seg, a.y + h)))
      ImGui::SetTooltip("%s: %s", r.category.c_str(), pct(r.*share).c_str());
    const std::string t = pct(r.*share);
    if (ImGui::CalcTextSize(t.c_str()).x + 6 < seg)
      dl->AddText(ImVec2(x + 3, a.y + (h - ImGui::GetTextLineHeight()) * 0.5f),
                  text_color_on(blocks_category_color(r.category)), t.c_str());
    x += seg;
  }
  dl->AddRect(a, ImVec2(a.x + bw, a.y + h), ink().border);
  ImGui::Dummy(ImVec2(bw, h));
}

void draw_blocks_categories(AppState& app) {
  const BlocksState& s = app.blocks;
  const Profile& p = s.shown.a;
  const CategorySummary cs = summarize_categories(p, s.shown.job.a.backend());
  ImGui::TextDisabled(
      "%s",
      tr("Shares of the network's MAdds, MAC and time by op category, like the V2 paper's Fig. 2"));
  help_marker(
      tr("share = sum over the category's ops / sum over all ops; time: sums of each op's median"));
  const float w = ImGui::GetContentRegionAvail().x;
  stacked_bar("MAdds", cs, &CategoryRow::share_madds, w);
  stacked_bar("MAC", cs, &CategoryRow::share_mac, w);
  stacked_bar("time", cs, &CategoryRow::share_time, w);
  ImGui::Spacing();
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("cats", 7, flags)) return;
  static const char* names[] = {"category", "ops",    "MAdds (?)", "MAC (?)",
                                "ms (?)",   "%MAdds", "%time"};
  static const char* helps[] = {"nn/cost's LayerCost::category",
                                "layers of this category in the network",
                                kBlocksMaddsHelp,
                                kBlocksMacHelp,
                                kBlocksTimeHelp,
                                "category MAdds / network MAdds",
                                "category time / network time"};
  for (int i = 0; i < 7; ++i) ImGui::TableSetupColumn(tr(names[i]), 0, i == 0 ? 2.2f : 1.f);
  blocks_header_row(names, helps, 7);
  for (const CategoryRow& r : cs.rows) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const ImVec2 a = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(a.x, a.y + 2),
                                              ImVec2(a.x + h - 4, a.y + h - 2),
                                              blocks_category_color(r.category), 2.f);
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(r.category.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%d", r.layers);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(si((double)r.madds).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(si((double)r.mac).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ms_str(r.time_ms).c_str());
    ImGui::TableNextColumn();
    blocks_share_cell(r.share_madds, ink().accent, false);
    ImGui::TableNextColumn();
    blocks_share_cell(r.share_time, r.flops_blind ? ink().warn : ink().accent, r.flops_blind);
  }
  ImGui::EndTable();
}

}  // namespace sl::viz
