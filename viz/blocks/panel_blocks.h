// viz/blocks/panel_blocks.h - what the Blocks panel's drawing files share: the formula
// texts of the (?) tooltips, small table widgets, and one draw function per part.
// panel_blocks.cpp lays the panel out and calls the others.
#pragma once
#include "viz/app_state.h"

namespace sl::viz {

// The formulas behind the panel's numbers, shown on hover.
extern const char* const kBlocksTimeHelp;
extern const char* const kBlocksMaddsHelp;
extern const char* const kBlocksMacHelp;
extern const char* const kBlocksParamsHelp;
void blocks_toast(AppState& app, const std::string& text);   // the app's bottom-left message
std::string blocks_time_cell(const Profile& p, double ms);   // "-" when not timed
void blocks_share_cell(double share, ImU32 col, bool warn);  // "12.3%" over a bar of its size
void blocks_header_row(const char* const* names, const char* const* helps,
                       int n);  // headers with tooltips

// panel_blocks_graph.cpp
void draw_unit_graph(AppState& app, const Profile& p, const UnitGraph& g, ImVec2 size,
                     bool table_rows_of_p);
ImU32 blocks_category_color(const std::string& category);
// panel_blocks_table.cpp
void draw_blocks_table(AppState& app);
void draw_blocks_categories(AppState& app);
// panel_blocks_formulas.cpp
void draw_blocks_formulas(AppState& app);
void draw_blocks_compare(AppState& app);

}  // namespace sl::viz
