// viz/blocks/panel_blocks.h - the drawing functions the Blocks panel's files share.
// panel_blocks.cpp lays the panel out; panel_blocks_graph.cpp draws one unit figure.
#pragma once
#include "viz/app_state.h"

namespace sl::viz {

void draw_unit_graph(AppState& app, const Profile& p, const UnitGraph& g, ImVec2 size, bool table_rows_of_p);
ImU32 blocks_category_color(const std::string& category);

}  // namespace sl::viz
