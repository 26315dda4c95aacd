// viz/blocks/panel_blocks_formulas.cpp - the Blocks panel's "FLOPs formulas" tab (the seed
// article's ResNet, ResNeXt and ShuffleNet unit FLOPs with this model's h, w, c, m, g, beside
// nn/cost's measured MAdds of the real unit) and its "Compare" tab (two models' totals and
// stages side by side, with the difference in measured time). Numbers from blocks_graph.cpp
// and blocks_rows.cpp.
#include <algorithm>
#include <cmath>

#include "viz/blocks/panel_blocks.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] formulas

static void formula_card(const char* title, const char* formula, const std::string& values,
                         int64_t result, const char* help, bool highlight, float width) {
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  heading(title);
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted(formula);
  ImGui::PopFont();
  ImGui::TextDisabled("%s", values.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PushFont(fonts().title);
  if (highlight)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().good), "%s", grouped(result).c_str());
  else
    ImGui::TextUnformatted(grouped(result).c_str());
  ImGui::PopFont();
  help_marker(tr(help));
  ImGui::EndGroup();
}

void draw_blocks_formulas(AppState& app) {
  BlocksState& s = app.blocks;
  // The article's formulas describe a V1 stride-1 unit: model a when it is V1, else model b.
  const bool a_v1 = s.shown.job.a.version == 1;
  const bool b_v1 = s.shown.job.compare && s.shown.job.b.version == 1;
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled(
      "%s", tr("The seed article's FLOPs of one unit with input h x w x c and bottleneck m "
               "(MAdds, batch n):"));
  ImGui::PopTextWrapPos();
  if (a_v1 || b_v1) {
    const Profile& p = a_v1 ? s.shown.a : s.shown.b;
    const int groups = a_v1 ? s.shown.job.a.groups : s.shown.job.b.groups;
    int block = a_v1 && s.figure == UnitFigure::v1_b ? s.unit_block : -1;
    if (block < 0) {
      const std::vector<int> u = unit_blocks(p, UnitFigure::v1_b);
      for (int b : u)
        if (block < 0 && p.blocks[(size_t)b].name.rfind("stage3.", 0) == 0) block = b;
    }
    const UnitFormulas f = v1_unit_formulas(p, block, groups);
    if (!f.ok) {
      ImGui::TextUnformatted(f.why_not.c_str());
      return;
    }
    ImGui::Text(tr("%s unit %s:"), p.model.c_str(), f.block.c_str());
    ImGui::SameLine();
    ImGui::PushFont(fonts().mono);
    ImGui::Text(tr("n=%lld h=%lld w=%lld c=%lld m=%lld g=%lld"), (long long)f.n, (long long)f.h,
                (long long)f.w, (long long)f.c, (long long)f.m, (long long)f.g);
    ImGui::PopFont();
    help_marker(tr(
        "read from nn/cost's output shapes of the unit's convolutions: gconv1 gives [n, m, h, w], "
        "gconv2 gives [n, c, h, w]; g is the model's groups"));
    ImGui::Spacing();
    char v[160];
    const float col = ImGui::GetContentRegionAvail().x / 3.f;
    const float x0 = ImGui::GetCursorPosX();
    std::snprintf(
        v, sizeof v,
        "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld + 9\xC2\xB7%lld\xC2\xB2)",
        (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m,
        (long long)f.m);
    formula_card("ResNet", "hw(2cm + 9m\xC2\xB2)", v, f.resnet,
                 "1x1 conv c->m, 3x3 conv m->m, 1x1 conv m->c: hw\xC2\xB7"
                 "cm + hw\xC2\xB7"
                 "9m\xC2\xB2 + hw\xC2\xB7mc",
                 false, col - 12);
    ImGui::SameLine(x0 + col);
    std::snprintf(v, sizeof v,
                  "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld + "
                  "9\xC2\xB7%lld\xC2\xB2/%lld)",
                  (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m,
                  (long long)f.m, (long long)f.g);
    formula_card("ResNeXt", "hw(2cm + 9m\xC2\xB2/g)", v, f.resnext,
                 "the 3x3 conv split into g groups: each output channel sees m/g inputs", false,
                 col - 12);
    ImGui::SameLine(x0 + 2 * col);
    std::snprintf(
        v, sizeof v,
        "%lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB7%lld/%lld + 9\xC2\xB7%lld)",
        (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.c, (long long)f.m,
        (long long)f.g, (long long)f.m);
    formula_card("ShuffleNet", "hw(2cm/g + 9m)", v, f.shufflenet,
                 "both 1x1 convs grouped (cm/g each), the 3x3 conv depthwise (9m)",
                 f.shufflenet == f.measured, col - 12);
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Text(tr("nn/cost measured %s's convolutions (gconv1 + dwconv + gconv2):"),
                f.block.c_str());
    ImGui::PushFont(fonts().mono);
    ImGui::Text("%s + %s + %s = %s", grouped(f.measured_conv[0]).c_str(),
                grouped(f.measured_conv[1]).c_str(), grouped(f.measured_conv[2]).c_str(),
                grouped(f.measured).c_str());
    ImGui::PopFont();
    help_marker(
        tr("gconv1 + dwconv + gconv2 multiply-adds, each N\xC2\xB7H_out\xC2\xB7W_out\xC2\xB7"
           "C_out\xC2\xB7(C_in/G)\xC2\xB7K\xC2\xB7K, "
           "as recorded during the real forward pass"));
    const bool eq = f.measured == f.shufflenet;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(eq ? ink().good : ink().warn), "%s",
                       eq ? tr("= the ShuffleNet formula, to the multiply-add")
                          : tr("differs from the ShuffleNet formula"));
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled(tr("At the same c and m, the ShuffleNet unit needs %s of ResNet's and %s "
                           "of ResNeXt's MAdds, "
                           "so at a fixed budget it can afford wider feature maps."),
                        pct((double)f.shufflenet / (double)f.resnet).c_str(),
                        pct((double)f.shufflenet / (double)f.resnext).c_str());
    ImGui::PopTextWrapPos();
  } else {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted(tr(
        "ResNet hw(2cm + 9m\xC2\xB2), ResNeXt hw(2cm + 9m\xC2\xB2/g) and ShuffleNet hw(2cm/g + 9m) "
        "describe V1-style bottleneck units: pick a V1 model, or compare with one, to see them "
        "live."));
    ImGui::PopTextWrapPos();
  }
  if (!a_v1) {
    int block = s.figure == UnitFigure::v2_c ? s.unit_block : -1;
    if (block < 0) {
      const std::vector<int> u = unit_blocks(s.shown.a, UnitFigure::v2_c);
      block = u.size() > 4 ? u[4] : u.empty() ? -1 : u[0];
    }
    const V2Formula f = v2_unit_formula(s.shown.a, block);
    if (!f.ok) return;
    ImGui::Spacing();
    ImGui::Separator();
    heading((tr("ShuffleNet V2 basic unit, ") + s.shown.a.model + " " + f.block).c_str());
    ImGui::PushFont(fonts().mono);
    ImGui::Text(
        tr("hw(2b\xC2\xB2 + 9b) = %lld\xC2\xB7%lld\xC2\xB7%lld\xC2\xB7(2\xC2\xB7%lld\xC2\xB2 "
           "+ 9\xC2\xB7%lld) = %s"),
        (long long)f.n, (long long)f.h, (long long)f.w, (long long)f.b, (long long)f.b,
        grouped(f.formula).c_str());
    ImGui::Text(tr("nn/cost measured                = %s"), grouped(f.measured).c_str());
    ImGui::PopFont();
    help_marker(tr(
        "b = c/2 channels go through the right branch (1x1 conv b->b, 3x3 depthwise, 1x1 conv "
        "b->b); "
        "the split half passes through with 0 MAdds but its concat and shuffle still move memory"));
  }
}

// [SECTION] compare

void draw_blocks_compare(AppState& app) {
  BlocksState& s = app.blocks;
  if (!s.shown.job.compare) {
    ImGui::TextDisabled(
        "%s", tr("Tick \"Compare with\" on the left to profile a second model beside this one."));
    return;
  }
  const Profile &a = s.shown.a, &b = s.shown.b;
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextUnformatted(compare_line(a, b).c_str());
  ImGui::PopTextWrapPos();
  help_marker(tr("difference = time(b) - time(a), each the sum of its ops' medians on the same "
                 "backend, input and batch"));
  ImGui::TextDisabled("%s", tr("copy as"));
  ImGui::SameLine();
  if (ImGui::SmallButton("CSV##cmp")) {
    ImGui::SetClipboardText(compare_text(a, b, false).c_str());
    blocks_toast(app, tr("copied the comparison as CSV"));
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Markdown##cmp")) {
    ImGui::SetClipboardText(compare_text(a, b, true).c_str());
    blocks_toast(app, tr("copied the comparison as a Markdown table"));
  }
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
  // Totals side by side: a = the model on the left, b = the one compared with.
  ImGui::Spacing();
  if (ImGui::BeginTable("cmp_totals", 4, flags)) {
    const std::string ha = "a  " + a.model, hb = "b  " + b.model;
    const char* names[] = {"", ha.c_str(), hb.c_str(), "b / a"};
    static const char* helps[] = {nullptr, nullptr, nullptr, "b's number divided by a's"};
    for (int i = 0; i < 4; ++i) ImGui::TableSetupColumn(names[i], 0, i == 0 ? 0.8f : 1.f);
    blocks_header_row(names, helps, 4);
    auto row = [&](const char* what, const char* help, const std::string& va, const std::string& vb,
                   double ratio) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(tr(what));
      help_marker(tr(help));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(va.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(vb.c_str());
      ImGui::TableNextColumn();
      ImGui::Text(tr("%.2fx"), ratio);
    };
    auto ratio = [](double x, double y) { return y > 0 ? x / y : 0.0; };
    row("params", kBlocksParamsHelp, grouped(a.params), grouped(b.params),
        ratio((double)b.params, (double)a.params));
    row("MAdds", kBlocksMaddsHelp, grouped(a.madds), grouped(b.madds),
        ratio((double)b.madds, (double)a.madds));
    row("MAC", kBlocksMacHelp, grouped(a.mac), grouped(b.mac), ratio((double)b.mac, (double)a.mac));
    row("time ms", kBlocksTimeHelp, ms_str(a.time_ms), ms_str(b.time_ms),
        ratio(b.time_ms, a.time_ms));
    row("runs ms",
        "fastest .. slowest timed forward pass of each model: when these ranges overlap, the "
        "time difference is within the machine's noise",
        ms_str(a.time_min_ms) + " .. " + ms_str(a.time_max_ms),
        ms_str(b.time_min_ms) + " .. " + ms_str(b.time_max_ms),
        ratio(b.time_min_ms, a.time_min_ms));
    ImGui::EndTable();
  }
  ImGui::Spacing();
  heading(tr("per stage"));
  const ImGuiTableFlags stage_flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                      ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX |
                                      ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("cmp", 8, stage_flags, ImVec2(0, ImGui::GetContentRegionAvail().y)))
    return;
  static const char* names[] = {"stage", "MAdds a", "MAdds b", "MAC a",
                                "MAC b", "ms a",    "ms b",    "b - a ms"};
  static const char* helps[] = {
      nullptr,          kBlocksMaddsHelp,
      kBlocksMaddsHelp, kBlocksMacHelp,
      kBlocksMacHelp,   kBlocksTimeHelp,
      kBlocksTimeHelp,  "time(b) - time(a): negative (green) where b is faster"};
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int i = 0; i < 8; ++i) ImGui::TableSetupColumn(tr(names[i]));
  blocks_header_row(names, helps, 8);
  for (const CompareRow& r : compare_rows(a, b)) {
    const bool total = r.name == "total";
    ImGui::TableNextRow();
    if (total) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ink().accent_soft);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name.c_str());
    auto cell = [&](bool in, const std::string& t) {
      ImGui::TableNextColumn();
      if (in)
        ImGui::TextUnformatted(t.c_str());
      else
        ImGui::TextDisabled("-");
    };
    cell(r.in[0], si((double)r.madds[0]));
    cell(r.in[1], si((double)r.madds[1]));
    cell(r.in[0], si((double)r.mac[0]));
    cell(r.in[1], si((double)r.mac[1]));
    cell(r.in[0], ms_str(r.time_ms[0]));
    cell(r.in[1], ms_str(r.time_ms[1]));
    ImGui::TableNextColumn();
    const double d = (r.in[1] ? r.time_ms[1] : 0) - (r.in[0] ? r.time_ms[0] : 0);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(d <= 0 ? ink().good : ink().warn), "%+.3f",
                       d);
  }
  ImGui::EndTable();
}

}  // namespace sl::viz
