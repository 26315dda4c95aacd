// viz/lessons/panel_lessons.cpp - the Lessons panel: the lessons with their last check
// results on the left; on the right "Open in panel" where a panel shows the lesson's
// example, and the README drawn from markdown.h's blocks (inline text flows word by
// word, Chinese character by character; figures as OpenGL textures, images.h). Not here:
// finding or parsing the lessons and the check results (lessons_state.cpp), the
// language switch (the top bar's EN / 中文, app_ui.cpp).
//
// [SECTION] index
//   text flow      spans -> wrapped, mixed-font text
//   blocks         headings, paragraphs, lists, code, images
//   list           the lessons and their badges
//   panel          draw_panel_lessons
#include <glad/gl.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstdio>

#include "viz/app_state.h"
#include "viz/i18n.h"

namespace sl::viz {

// [SECTION] text flow

// Splits text into wrap units: a word with its trailing spaces, or one CJK character
// (Chinese has no spaces; a line may break after any character).
static std::vector<std::string> wrap_units(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = (unsigned char)s[i];
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    unsigned cp = c;
    if (n == 3 && i + 2 < s.size())
      cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    const std::string ch = s.substr(i, n);
    i += n;
    if (n >= 3 && cp >= 0x2E80) {  // CJK and full-width punctuation: a unit of its own
      if (!cur.empty()) out.push_back(cur), cur.clear();
      out.push_back(ch);
    } else if (ch == " ") {
      cur += ch;
      out.push_back(cur), cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Draws spans wrapped to the available width, starting `indent` pixels in, and advances
// the cursor; with draw = false only returns the height it would take.
static float draw_flow(const std::vector<MdSpan>& spans, float indent, ImFont* base, ImFont* bold,
                       ImU32 color, bool draw = true) {
  const Fonts& f = fonts();
  const Ink& k = ink();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 start = ImGui::GetCursorScreenPos();
  const float left = start.x + indent;
  const float right = start.x + std::max(indent + 80.f, ImGui::GetContentRegionAvail().x);
  const float line_h = base->FontSize * 1.45f;
  float x = left, y = start.y;
  for (const MdSpan& sp : spans) {
    ImFont* font = sp.code ? f.mono : sp.bold ? bold : base;
    const float dy = (base->FontSize - font->FontSize) * 0.5f;
    for (const std::string& u : wrap_units(sp.text)) {
      ImVec2 sz = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, u.c_str());
      if (x + sz.x > right && x > left) {
        x = left;
        y += line_h;
        if (u.find_first_not_of(' ') == std::string::npos) continue;  // no space at a line start
      }
      const ImVec2 p(x, y + dy);
      x += sz.x;
      if (!draw) continue;
      if (sp.code) {
        const float trail = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, " ").x *
                            float(u.size() - u.find_last_not_of(' ') - 1);
        dl->AddRectFilled(ImVec2(p.x - 2, p.y - 1),
                          ImVec2(p.x + sz.x - trail + 2, p.y + font->FontSize + 1), k.code_bg, 3.f);
      }
      dl->AddText(font, font->FontSize, p, sp.code ? k.code_text : color, u.c_str());
    }
  }
  const float h = y + line_h - start.y;
  if (draw) ImGui::Dummy(ImVec2(right - start.x, h));
  return h;
}

// [SECTION] blocks

// Vertical gaps are explicit: ItemSpacing.y is 0 inside, so each block adds only its own.
static void gap(float px) { ImGui::Dummy(ImVec2(0, px)); }

// [SECTION] figures
// RGBA8 -> a linear-filtered texture (scaled to the panel width when drawn).
static unsigned upload_texture(const LoadedImage& img) {
  GLuint tex = 0;
  glGenTextures(1, &tex);
  if (!tex) return 0;
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img.w, img.h, 0, GL_RGBA, GL_UNSIGNED_BYTE,
               img.rgba.data());
  return tex;
}

static void release_texture(unsigned tex) {
  const GLuint t = tex;
  glDeleteTextures(1, &t);
}

// The image scaled to the panel width, its caption under it; a missing or unreadable
// file shows its path and why instead.
static void draw_figure(LessonsState& s, const MdBlock& b, float sc) {
  const Ink& k = ink();
  const std::string path = image_path(s.shown_path, b.path);
  const ImageCache::Entry& e = s.images.get(path);
  if (!e.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(k.warn));
    ImGui::TextWrapped("[%s]  %s: %s", b.alt.c_str(), b.path.c_str(),
                       e.error == "missing" ? tr("missing") : e.error.c_str());
    ImGui::PopStyleColor();
    return;
  }
  const FitSize fit = fit_image(e.w, e.h, ImGui::GetContentRegionAvail().x, sc);
  // ImGui's OpenGL3 backend reads its ImTextureID (a void*) as the GL texture name.
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  ImGui::Image((ImTextureID)(intptr_t)e.texture, ImVec2(fit.w, fit.h));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%d x %d)", path.c_str(), e.w, e.h);
  gap(4 * sc);
  ImGui::PushFont(fonts().small);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(k.dim));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(fit.w, 200 * sc));
  ImGui::TextUnformatted(b.alt.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

static void draw_blocks(LessonsState& s, const std::vector<MdBlock>& blocks, float sc) {
  const Fonts& f = fonts();
  const Ink& k = ink();
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0.f));
  for (size_t i = 0; i < blocks.size(); ++i) {
    const MdBlock& b = blocks[i];
    const bool list_ends = i + 1 == blocks.size() || (blocks[i + 1].kind != MdKind::bullet &&
                                                      blocks[i + 1].kind != MdKind::numbered);
    switch (b.kind) {
      case MdKind::heading: {
        gap((b.level == 1 ? 4 : 10) * sc);
        ImFont* font = b.level == 1 ? f.title : f.bold;
        draw_flow(b.spans, 0.f, font, font, b.level <= 2 ? k.text : k.dim);
        if (b.level <= 2) ImGui::Separator();
        gap(6 * sc);
        break;
      }
      case MdKind::paragraph:
        draw_flow(b.spans, 0.f, f.body, f.bold, k.text);
        gap(8 * sc);
        break;
      case MdKind::bullet:
      case MdKind::numbered: {
        const float indent = (18.f + 18.f * b.level) * sc;
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const std::string mark =
            b.kind == MdKind::bullet ? "\xE2\x80\xA2" : std::to_string(b.number) + ".";
        const float mw = ImGui::CalcTextSize(mark.c_str()).x;
        ImGui::GetWindowDrawList()->AddText(ImVec2(p.x + indent - mw - 6 * sc, p.y), k.dim,
                                            mark.c_str());
        draw_flow(b.spans, indent, f.body, f.bold, k.text);
        gap((list_ends ? 8 : 2) * sc);
        break;
      }
      case MdKind::code: {
        ImGui::PushFont(f.mono);
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const ImVec2 ts = ImGui::CalcTextSize(b.code.c_str());
        const float pad = 8 * sc;
        const float w = std::max(ImGui::GetContentRegionAvail().x, ts.x + 2 * pad);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p, ImVec2(p.x + w, p.y + ts.y + 2 * pad), k.code_bg, 6 * sc);
        dl->AddText(f.mono, f.mono->FontSize, ImVec2(p.x + pad, p.y + pad), k.code_text,
                    b.code.c_str());
        ImGui::Dummy(ImVec2(ts.x + 2 * pad, ts.y + 2 * pad));
        ImGui::PopFont();
        gap(8 * sc);
        break;
      }
      case MdKind::image:
        draw_figure(s, b, sc);
        gap(10 * sc);
        break;
      case MdKind::rule:
        ImGui::Separator();
        gap(8 * sc);
        break;
    }
  }
  ImGui::PopStyleVar();
}

// [SECTION] list

static ImU32 result_color(CheckResult r) {
  const Ink& k = ink();
  switch (r) {
    case CheckResult::passed: return k.good;
    case CheckResult::failed: return k.warn;
    case CheckResult::not_solved: return k.accent;
    case CheckResult::not_run: break;
  }
  return k.dim;
}

static void badge(const char* what, CheckResult r, const LessonsState& s) {
  const char* mark = r == CheckResult::passed   ? "\xE2\x9C\x93 "
                     : r == CheckResult::failed ? "\xE2\x9C\x97 "
                                                : "";
  ImGui::PushFont(fonts().small);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(result_color(r)), "%s%s: %s", mark, tr(what),
                     tr(r == CheckResult::not_solved ? "not solved yet" : check_result_name(r)));
  ImGui::PopFont();
  // A full `ctest` run ends with an empty log: its `labels` test lists tests with ctest -N,
  // which rewrites LastTest.log. `ctest -L lesson` leaves the lessons' results there.
  const char* why = !s.log_found        ? tr("(not found: no check has run in this build yet)")
                    : s.results.empty() ? tr("(it lists no test: the last ctest only listed tests)")
                                        : "";
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(tr("From CTest's last run: %s %s\nand make check-exercise's results in "
                         "%s\nUpdate them with  ctest --preset release -L lesson  or  make "
                         "check-exercise N=NN, then Reload"),
                      s.log_path.c_str(), why, s.results_dir.c_str());
}

static void draw_list(AppState& app) {
  LessonsState& s = app.lessons;
  const bool zh = s.lang == Lang::zh && s.cjk_font;  // the top bar's EN / 中文
  for (int i = 0; i < int(s.lessons.size()); ++i) {
    const LessonInfo& l = s.lessons[i];
    ImGui::PushID(i);
    const std::string& title = zh && !l.title_zh.empty() ? l.title_zh : l.title_en;
    // The title wraps like the README's text (Chinese between any two characters).
    const std::vector<MdSpan> spans = {{title, false, false}};
    const float title_h = draw_flow(spans, 0.f, fonts().body, fonts().bold, 0, false);
    const ImVec2 at = ImGui::GetCursorPos();
    if (ImGui::Selectable(("##l" + l.number).c_str(), i == s.selected, 0,
                          ImVec2(0, title_h - ImGui::GetStyle().ItemSpacing.y)))
      s.select(i);
    ImGui::SetCursorPos(at);
    draw_flow(spans, 0.f, fonts().body, fonts().bold, ink().text);
    const LessonChecks c = checks_for(l, s.results);
    ImGui::Indent(10 * app.scale);
    badge("program", c.lesson, s);
    if (c.has_exercise) badge("exercise", c.exercise, s);
    ImGui::Unindent(10 * app.scale);
    ImGui::Spacing();
    ImGui::PopID();
  }
}

// [SECTION] panel

// The panels that can show a lesson's example; lessons without one get no button.
static const char* open_target(const std::string& nn) {
  if (nn == "01" || nn == "02") return "Shuffle";
  if (nn == "05" || nn == "06" || nn == "07" || nn == "11" || nn == "13") return "Blocks";
  if (nn >= "08" && nn <= "10") return "Guidelines";
  if (nn == "12") return "Train";
  return nullptr;
}

// What the button sets up, for its tooltip.
static const char* open_tooltip(const std::string& nn) {
  if (nn <= "02")
    return tr("The Shuffle panel with the article's example: x of shape [2, 4, 2, 2], G = 2");
  if (nn == "08") return tr("The Guidelines panel at experiment G1");
  if (nn == "09") return tr("The Guidelines panel at experiment G2 (G3 is one click below)");
  if (nn == "10") return tr("The Guidelines panel at experiment G4 (Zero-copy is one click below)");
  if (nn == "11") return tr("The Blocks panel with ShuffleNet V2, width 1.0, ImageNet");
  if (nn == "12")
    return tr("The Train panel: the shipped v2-0.5 model trained on CIFAR-10 (its curves, "
              "confusion matrix and feature maps), unless another run is open there");
  if (nn == "13")
    return tr("The Blocks panel with ShuffleNet V2, width 1.0, ImageNet: the time of its 1x1 "
              "and depthwise convolutions");
  return tr("The Blocks panel with ShuffleNet V1, g = 3, width 1.0, ImageNet");
}

static void open_in_panel(AppState& app, const std::string& nn) {
  if (nn == "01" || nn == "02") {
    app.shuffle.configure(article_example());
    app.panel = Panel::shuffle;
  } else if (nn >= "08" && nn <= "10") {  // 08 G1, 09 G2 (and G3), 10 G4 (and zero-copy)
    app.guidelines.view = nn == "08"   ? GuidelinesView::g1
                          : nn == "09" ? GuidelinesView::g2
                                       : GuidelinesView::g4;
    app.panel = Panel::guidelines;
  } else if (nn == "12") {  // the panel's first draw opens the shipped model
    app.panel = Panel::train;
  } else {
    set_model_name(app.blocks.job.a, nn == "11" || nn == "13" ? "v2-1.0" : "v1-g3-1.0");
    app.blocks.job.a.imagenet = true;
    app.panel = Panel::blocks;
  }
  app.select_panel = true;
}

void draw_panel_lessons(AppState& app) {
  LessonsState& s = app.lessons;
  const float sc = app.scale;
  if (!s.loaded) s.load();
  if (s.lessons.empty()) {
    ImGui::TextWrapped(
        tr("No lessons found. The app looks in %s; set SHUFFLELAB_LESSONS_DIR to the "
           "lessons/ folder of a ShuffleLab checkout."),
        s.dir.empty() ? "<source dir>/lessons" : s.dir.c_str());
    return;
  }
  const float list_w = std::clamp(ImGui::GetContentRegionAvail().x * 0.26f, 200 * sc, 340 * sc);
  ImGui::BeginChild("lesson list", ImVec2(list_w, 0), true);
  draw_list(app);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginGroup();
  // toolbar: open in panel, reload (the language is the top bar's EN / 中文)
  const LessonInfo& l = s.lessons[s.selected];
  bool first = true;
  if (const char* target = open_target(l.number)) {
    char open[96];
    std::snprintf(open, sizeof open, tr("Open in %s"), tr(target));
    if (ImGui::Button((std::string(open) + "###open").c_str())) open_in_panel(app, l.number);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", open_tooltip(l.number));
    first = false;
  }
  if (!first) ImGui::SameLine(0, 24 * sc);
  if (ImGui::Button(trid("Reload").c_str())) {
    const int keep = s.selected;
    s.images.clear();  // figures regenerated by scripts/lesson-figures show after Reload
    s.load();
    s.select(std::min(keep, int(s.lessons.size()) - 1));
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "%s", tr("Read the READMEs, their figures and the check results again (after editing "
                 "or running checks)"));
  if (!s.notice.empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", tr(s.notice.c_str()));
  ImGui::BeginChild("readme", ImVec2(0, 0), true);
  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled("%s", s.shown_path.c_str());
  if (!s.images_ready) {  // the app's OpenGL context is current while panels draw
    s.images.set_backend(upload_texture, release_texture);
    s.images_ready = true;
  }
  draw_blocks(s, s.blocks, sc);
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
  ImGui::EndGroup();
}

}  // namespace sl::viz
