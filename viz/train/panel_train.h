// viz/train/panel_train.h - the Train panel's drawing functions, shared by its files:
// panel_train.cpp (controls, layout), panel_train_plots.cpp (the live curves) and
// panel_train_views.cpp (prediction grid, confusion matrix, feature maps). Only the
// panel's own files include it. Not here: its state (train_state.h).
#pragma once
#include <string>
#include <vector>

#include "viz/app_state.h"

namespace sl::viz {

// One line of a plot: points (x, y), drawn in `color`.
struct PlotLine {
  std::string label;
  std::vector<double> x, y;
  ImU32 color = 0;
  float thickness = 1.5f;
};
// A line plot with labelled axes, tick values, a legend and a hover read-out; `hline` >= 0
// draws a dashed horizontal reference line labelled `hline_label`. y_min/y_max: NaN for auto.
struct PlotSpec {
  const char* id = "##plot";
  const char* title = "";
  const char* x_label = "";
  const char* y_label = "";
  const char* formula = "";      // the (?) tooltip beside the title
  double y_min = 0, y_max = -1;  // y_max < y_min: from the data
  double x_max = 0;              // > 0: the x axis reaches at least this far
  double hline = -1;
  const char* hline_label = "";
  bool percent = false;  // y values are fractions shown as %
};
void draw_plot(const PlotSpec& spec, const std::vector<PlotLine>& lines, ImVec2 size, float sc);

void draw_train_curves(AppState& app, ImVec2 size);  // panel_train_plots.cpp
void draw_train_predictions(AppState& app);          // panel_train_views.cpp
void draw_train_confusion(AppState& app);            // panel_train_views.cpp
void draw_train_features(AppState& app);             // panel_train_views.cpp
// A CIFAR image ([3, 32, 32] bytes) as a size x size square at the cursor.
void draw_cifar_image(const uint8_t* image, float size);

}  // namespace sl::viz
