// viz/train/panel_train.cpp - the Train panel: on the left the run's settings, its
// start / pause / resume / stop / save buttons, where the data are, and opening a run
// folder or checkpoint (the trained model in assets/models by default); on the right the
// live curves, then tabs with the prediction grid, the confusion matrix and the feature
// maps. Training is nn/train's train() on TrainSession's worker thread. Not here: the
// curves (panel_train_plots.cpp), the views (panel_train_views.cpp), the state.
//
// [SECTION] index: helpers | controls | data and models | panel
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "viz/i18n.h"
#include "viz/train/panel_train.h"

namespace sl::viz {

// [SECTION] helpers

namespace {

void wrapped(const std::string& text, ImU32 color) {
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "%s", text.c_str());
  ImGui::PopTextWrapPos();
}

// A text field bound to a std::string (ImGui 1.86 has no std::string overload).
bool input_string(const char* label, std::string& s) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, "%s", s.c_str());
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (!ImGui::InputText(label, buf, sizeof buf)) return false;
  s = buf;
  return true;
}

ImU32 phase_color(TrainPhase p) {
  switch (p) {
    case TrainPhase::running: return ink().good;
    case TrainPhase::paused:
    case TrainPhase::stopping: return ink().accent;
    case TrainPhase::error: return ink().warn;
    default: return ink().dim;
  }
}

const char* const kModels[] = {"v2-0.5",    "v2-1.0",    "v2-1.5",    "v2-2.0",
                               "v1-g1-0.5", "v1-g3-0.5", "v1-g3-1.0", "v1-g8-1.0"};

// [SECTION] controls

// SameLine when a button labelled `label` still fits on this line, else a new line.
void same_line_if_fits(const std::string& label) {
  const float w = ImGui::CalcTextSize(label.c_str(), nullptr, true).x +
                  2 * ImGui::GetStyle().FramePadding.x + ImGui::GetStyle().ItemSpacing.x;
  const float right = ImGui::GetItemRectMax().x + w;
  if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
}

void draw_run_buttons(AppState& app) {
  TrainPanelState& s = app.train;
  const TrainPhase ph = s.shown.phase;
  const bool busy = ph == TrainPhase::running || ph == TrainPhase::paused ||
                    ph == TrainPhase::stopping || s.shown.inspecting;
  ImGui::BeginDisabled(busy);
  if (ImGui::Button(trid("Start").c_str())) s.start();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", tr("Train a new run with these settings into the output folder"));
  same_line_if_fits(trid("Resume"));
  if (ph == TrainPhase::paused) {
    if (ImGui::Button(trid("Resume").c_str())) s.session.resume();
  } else {
    ImGui::BeginDisabled(ph != TrainPhase::running);
    if (ImGui::Button(trid("Pause").c_str())) s.session.pause();
    ImGui::EndDisabled();
  }
  same_line_if_fits(trid("Stop"));
  ImGui::BeginDisabled(ph != TrainPhase::running && ph != TrainPhase::paused);
  if (ImGui::Button(trid("Stop").c_str())) s.session.stop();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", tr("Stops after the current step and saves a checkpoint that "
                               "Continue (or shufflelab train --resume) goes on from"));
  same_line_if_fits(trid("Save now"));
  ImGui::BeginDisabled(ph != TrainPhase::running);
  if (ImGui::Button(trid("Save now").c_str())) s.session.save_now();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", tr("Saves a checkpoint before the next step (last.state.safetensors, "
                               "last.safetensors, metrics.jsonl) and goes on. While paused: "
                               "resume, or Stop, which also saves."));
}

void draw_status(AppState& app) {
  TrainPanelState& s = app.train;
  const SessionSnapshot& sh = s.shown;
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(phase_color(sh.phase)), "%s",
                     tr(phase_name(sh.phase)));
  if (sh.curves.have_last && !s.showing_opened) {
    const StepProgress& p = sh.curves.last;
    ImGui::SameLine();
    ImGui::Text("%s %lld/%lld, %s %lld/%lld", tr("epoch"), (long long)p.epoch, (long long)p.epochs,
                tr("step"), (long long)p.step, (long long)p.steps);
    help_marker(tr("steps per epoch = ceil(training images / batch); the last batch of an epoch "
                   "may be smaller"));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", p.loss);
    value_with_help(tr("running loss"), buf,
                    tr("sum of B*L over this epoch's steps so far / images seen (L: a batch's "
                       "mean cross-entropy, B: its images)"));
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p.acc);
    value_with_help(tr("running train acc"), buf,
                    tr("correct predictions during this epoch's training steps / images seen "
                       "(augmented images, weights changing: not the test accuracy)"));
  }
  if (!sh.curves.epochs.empty() && !s.showing_opened) {
    char buf[64];
    const double acc = sh.curves.epochs.back().test_acc;
    std::snprintf(buf, sizeof buf, "%.2f%%", 100 * acc);
    value_with_help(tr("last test acc"), buf,
                    tr("correct arg-max predictions / test images after the last finished epoch "
                       "(nn/train evaluate). Chance level for 10 classes is 10%: below twice "
                       "that, the model has learned little yet."));
    if (acc < 0.2) wrapped(tr("near chance level (10%): little learned yet"), ink().dim);
  }
  if (sh.phase == TrainPhase::error) wrapped(sh.error, ink().warn);
  // train()'s last note, except its "evaluating ..." line, which has no matching "done"
  for (auto it = sh.notes.rbegin(); it != sh.notes.rend() && !s.showing_opened; ++it)
    if (it->rfind("evaluating", 0) != 0) {
      wrapped(*it, ink().dim);
      break;
    }
}

void draw_settings(AppState& app) {
  TrainPanelState& s = app.train;
  TrainConfig& c = s.cfg;
  const TrainPhase ph = s.shown.phase;
  ImGui::BeginDisabled(ph == TrainPhase::running || ph == TrainPhase::paused ||
                       ph == TrainPhase::stopping);
  const float w = ImGui::GetContentRegionAvail().x * 0.5f;
  ImGui::PushItemWidth(w);
  if (ImGui::BeginCombo(trid("model").c_str(), c.model.c_str())) {
    for (const char* m : kModels)
      if (ImGui::Selectable(m, c.model == m)) {
        c.model = m;
        c.out_dir = str_cat("runs/", m, "-app");
      }
    ImGui::EndCombo();
  }
  help_marker(tr("v2-<width>: ShuffleNet V2 at that width; v1-g<groups>-<scale>: ShuffleNet V1. "
                 "The CIFAR variant (32x32 input, stem at stride 1). docs/models.md"));
  int epochs = (int)c.epochs, batch = (int)c.batch, seed = (int)c.seed;
  if (ImGui::InputInt(trid("epochs").c_str(), &epochs)) c.epochs = std::clamp(epochs, 1, 1000);
  if (ImGui::InputInt(trid("batch").c_str(), &batch, 16)) c.batch = std::clamp(batch, 2, 4096);
  ImGui::InputFloat(trid("learning rate").c_str(), &c.lr, 0.01f, 0.1f, "%.4g");
  c.lr = std::clamp(c.lr, 1e-6f, 10.f);
  help_marker(tr("the peak rate of one-cycle, or the starting rate of cosine"));
  if (ImGui::BeginCombo(trid("schedule").c_str(), c.schedule.c_str())) {
    for (const char* sch : {"onecycle", "cosine"})
      if (ImGui::Selectable(sch, c.schedule == sch)) c.schedule = sch;
    ImGui::EndCombo();
  }
  if (ImGui::InputInt(trid("seed").c_str(), &seed)) c.seed = (uint64_t)std::max(0, seed);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("device"));
  ImGui::SameLine();
  device_switch(&c.device, false,
                tr("Where training runs (shufflelab train --device): the forward and backward "
                   "passes, the loss, the metrics and the SGD update. On CUDA only the batch goes "
                   "to the GPU and two numbers come back per step (docs/cuda.md). The "
                   "predictions, confusion matrix and feature maps below evaluate the saved "
                   "weights on the CPU."));
  ImGui::SliderInt(trid("CPU threads").c_str(), &s.threads, 0, std::max(1, omp_get_num_procs()),
                   s.threads == 0 ? tr("all") : "%d");
  help_marker(tr("OpenMP threads of the training thread (the CPU kernels, and loading and "
                 "augmenting the batches on either device); 0: all cores."));
  int lt = (int)std::min<int64_t>(c.limit_train, 1 << 30),
      le = (int)std::min<int64_t>(c.limit_test, 1 << 30);
  if (ImGui::InputInt(trid("train images").c_str(), &lt, 1000)) c.limit_train = lt < 2 ? -1 : lt;
  help_marker(tr("train on the first N training images; -1: all 50,000 (--limit-train)"));
  if (ImGui::InputInt(trid("test images").c_str(), &le, 1000)) c.limit_test = le < 1 ? -1 : le;
  help_marker(tr("test on the first N test images; -1: all 10,000 (--limit-test)"));
  ImGui::PopItemWidth();
  ImGui::TextDisabled("%s", tr("output folder"));
  input_string("##out", c.out_dir);
  ImGui::Checkbox(trid("replace a run already there").c_str(), &c.overwrite);
  ImGui::EndDisabled();
}

// [SECTION] data and models

void draw_data(AppState& app) {
  TrainPanelState& s = app.train;
  ImGui::TextDisabled("%s", tr("CIFAR-10 folder"));
  input_string("##data", s.data_field);
  const std::string found = find_cifar(s.data_field);
  if (!found.empty()) {
    ImGui::TextDisabled("%s %s", tr("using"), found.c_str());
    return;
  }
  std::string looked = tr("No CIFAR-10 found. Looked for data_batch_1.bin and test_batch.bin in:");
  for (const std::string& d : cifar_search_places(s.data_field))
    looked += str_cat("\n  ", std::filesystem::absolute(d).string());
  looked += str_cat("\n", tr("Get it with scripts/get-cifar10 (162 MB, into data/), or enter the "
                             "folder above. Without it the panel can still plot run folders."));
  wrapped(looked, ink().warn);
}

void draw_open(AppState& app) {
  TrainPanelState& s = app.train;
  ImGui::TextDisabled("%s", tr("run folder or checkpoint"));
  help_marker(
      tr("A folder written by shufflelab train --out (its metrics.jsonl is plotted, "
         "re-read every 2 s while a CLI run writes it), a weights file (.safetensors) or "
         "a checkpoint (last.state.safetensors). Its weights are evaluated on the test set."));
  input_string("##open", s.open_field);
  const bool busy = s.shown.phase == TrainPhase::running || s.shown.phase == TrainPhase::paused ||
                    s.shown.phase == TrainPhase::stopping || s.shown.inspecting;
  ImGui::BeginDisabled(busy);
  if (ImGui::Button(trid("Open").c_str())) s.open(s.open_field);
  same_line_if_fits(trid("Trained model"));
  const std::string def = default_model_path();
  ImGui::BeginDisabled(def.empty());
  if (ImGui::Button(trid("Trained model").c_str())) {
    s.open_field = def;
    s.open(def);
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", tr("v2-0.5 trained on CIFAR-10 by shufflelab train, shipped in "
                               "assets/models/v2-0.5-cifar10 (its README has the command)"));
  if (s.showing_opened && s.opened.resumable) {
    same_line_if_fits(trid("Continue"));
    if (ImGui::Button(trid("Continue").c_str())) s.resume_opened();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s", tr("Resume this run from its checkpoint (shufflelab train --resume); "
                                 "the epochs field can extend it"));
  }
  ImGui::EndDisabled();
  if (def.empty())
    wrapped(str_cat(tr("The trained model is not in this checkout: expected "), default_model_dir(),
                    "/model.safetensors"),
            ink().dim);
  if (!s.showing_opened) return;
  const OpenedRun& o = s.opened;
  if (!o.error.empty()) {
    wrapped(o.error, ink().warn);
    return;
  }
  std::string what = str_cat(tr("showing"), " ", o.model, ": ", o.path);
  if (o.resumable)
    what += str_cat(" (", tr("epoch"), " ", o.info.state.epoch, "/", o.info.cfg.epochs, ")");
  wrapped(what, ink().dim);
  if (!o.note.empty()) wrapped(o.note, ink().dim);
}

}  // namespace

// [SECTION] panel

void draw_panel_train(AppState& app) {
  TrainPanelState& s = app.train;
  if (!s.started) {  // first draw: the trained model when the checkout has it
    s.started = true;
    // Screenshots evaluate a checkpoint on the first 1,000 test images (the captions say
    // so), which keeps a screenshot of the trained model to seconds on a small machine.
    if (app.headless && s.cfg.limit_test < 0) s.cfg.limit_test = 1000;
    if (!s.synthetic_dir.empty()) {  // headless screenshots: a tiny run, paused mid-epoch
      try {
        write_synthetic_cifar(s.synthetic_dir + "/data", 32, 40);
        s.data_field = s.synthetic_dir + "/data";
        s.cfg.out_dir = s.synthetic_dir + "/run";
        s.cfg.overwrite = true;
        s.cfg.batch = 16;
        s.cfg.epochs = 4;
        s.cfg.lr = 0.05f;
        s.fm_layer = 4;  // stage2.1 after its shuffle: both branches' colours interleaved
        s.threads = 2;
        s.session.pause_after_step(s.headless_pause_step > 0 ? s.headless_pause_step : 25);
        s.start();
      } catch (const std::exception& e) {
        s.opened.error = e.what();
        s.showing_opened = true;
      }
    } else if (!s.open_field.empty()) {
      s.open(s.open_field);
    } else if (const std::string def = default_model_path(); !def.empty()) {
      s.open_field = def;
      s.open(def);
    }
  }
  if (app.headless)  // screenshots show a settled state: paused, finished or evaluated
    s.session.wait_for(
        [](const SessionSnapshot& x) {
          return x.phase != TrainPhase::running && x.phase != TrainPhase::stopping && !x.inspecting;
        },
        300);
  s.update();

  const float sc = app.scale;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12 * sc, 10 * sc));
  const float total_w = ImGui::GetContentRegionAvail().x;
  const float left_w = std::clamp(total_w * 0.24f, 240 * sc, 330 * sc);
  ImGui::BeginChild("train_controls", ImVec2(left_w, 0), true);
  heading(tr("Run"));
  draw_status(app);
  draw_run_buttons(app);
  ImGui::Separator();
  draw_settings(app);
  ImGui::Separator();
  draw_data(app);
  ImGui::Separator();
  draw_open(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("train_view", ImVec2(0, 0), true);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float curves_h = avail.x > 1000 * sc ? std::clamp(avail.y * 0.36f, 170 * sc, 300 * sc)
                                             : std::clamp(avail.y * 0.5f, 240 * sc, 440 * sc);
  draw_train_curves(app, ImVec2(avail.x, curves_h));
  if (ImGui::BeginTabBar("train_tabs")) {
    static const char* tabs[] = {"Predictions", "Confusion matrix", "Feature maps"};
    void (*draw[])(AppState&) = {draw_train_predictions, draw_train_confusion, draw_train_features};
    for (int t = 0; t < 3; ++t) {
      const ImGuiTabItemFlags f = s.tab_request == t ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(trid(tabs[t]).c_str(), nullptr, f)) {
        ImGui::BeginChild("train_tab_body");
        draw[t](app);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    s.tab_request = -1;
    ImGui::EndTabBar();
  }
  ImGui::EndChild();
  ImGui::PopStyleVar();
}

}  // namespace sl::viz
