// viz/panel_shuffle_steps.cpp - what the Shuffle panel says about the current stop: the
// scrub bar over the stops (the five steps and, optionally, the view that fails without
// contiguous()), and the card of each stop: its title, what it did, the C++ line, and
// its facts (shape, strides, contiguous, buffer, bytes copied) each with a (?) formula,
// or the library's own error message. Every number comes from ShuffleState.
//
// [SECTION] index
//   text helpers   the stops' labels, the per-step explanations and formulas, flowing facts
//   scrub bar      the stops as a track with a draggable handle
//   cards          each stop's card, described as data so its height can be measured
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "viz/i18n.h"
#include "viz/panel_shuffle.h"

namespace sl::viz {

// [SECTION] text helpers

static const char* kStepLabels[kShuffleSteps] = {"input", "view", "transpose(1, 2)", "contiguous()",
                                                 "view"};
static const char* kFailLabel = "view fails";  // the view tried without contiguous()

const char* stop_label(const ShuffleState& s, int stop) {
  const int step = step_of_stop(stop, s.fail_stop);  // op names stay as the code writes them
  return s.fail_stop && stop == kFailStop ? tr(kFailLabel)
         : step == 0                      ? tr(kStepLabels[0])
                                          : kStepLabels[step];
}
// "0", "1", "2", "✗", "3", "4": the stop's number on the timeline.
std::string stop_number(const ShuffleState& s, int stop) {
  return s.fail_stop && stop == kFailStop ? "\xE2\x9C\x97"
                                          : std::to_string(step_of_stop(stop, s.fail_stop));
}

static const char* kStepWhy[kShuffleSteps] = {
    "x holds N\xC2\xB7"
    "C\xC2\xB7H\xC2\xB7W floats; every element of channel c is the value c, "
    "coloured by its group.",
    "view splits the channel axis into G groups of C/G channels: the same buffer, read with a new "
    "shape and new strides.",
    "transpose(1, 2) swaps the group axis and the channel-in-group axis: only shape and strides "
    "change. The buffer is untouched, so the tensor is no longer contiguous.",
    "contiguous() allocates a new buffer and copies every element into the transposed order: the "
    "only step where data moves.",
    "view({N, -1, H, W}) merges the two axes back into C: -1 asks view to infer that size "
    "from the others, numel / (N\xC2\xB7H\xC2\xB7W) = C. The channels of the groups are now "
    "interleaved.",
};

static const char* kShapeFormula[kShuffleSteps] = {
    "shape = [N, C, H, W]", "shape = [N, G, C/G, H, W]", "shape = [N, C/G, G, H, W]",
    "shape = [N, C/G, G, H, W]", "shape = [N, C, H, W]"};

static const char* kStrideFormula[kShuffleSteps] = {
    "A contiguous tensor: stride[d] = product of the sizes after d, so [N, C, H, W] has strides "
    "(C\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1). Element (n, c, h, w) is at n\xC2\xB7s0 + c\xC2\xB7s1 "
    "+ "
    "h\xC2\xB7s2 + w\xC2\xB7s3.",
    "view of a contiguous tensor: stride[d] = product of the sizes after d = "
    "(C\xC2\xB7H\xC2\xB7W, C/G\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1). Nothing is copied.",
    "transpose(1, 2) swaps stride[1] and stride[2] (highlighted). Element (n, i, j, h, w) is read "
    "at n\xC2\xB7s0 + i\xC2\xB7s1 + j\xC2\xB7s2 + h\xC2\xB7s3 + w\xC2\xB7s4 of the same buffer: "
    "strides no longer decrease, so the tensor is not contiguous.",
    "contiguous() wrote a new buffer in the logical order, so the strides are again the products "
    "of the sizes after each dim: (C\xC2\xB7H\xC2\xB7W, G\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1).",
    "view of the contiguous copy: (C\xC2\xB7H\xC2\xB7W, H\xC2\xB7W, W, 1), as for the input.",
};

void flow(float w, bool first) {
  if (first) return;
  const float gap = ImGui::GetFontSize() * 1.2f;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + gap + w <= right) ImGui::SameLine(0, gap);
}

// Width of "label  value (?)" as value_with_help draws it.
static float fact_width(const char* label, const std::string& value) {
  const ImGuiStyle& st = ImGui::GetStyle();
  ImGui::PushFont(fonts().mono);
  const float v = ImGui::CalcTextSize(value.c_str()).x;
  ImGui::PopFont();
  return ImGui::CalcTextSize(label).x + st.ItemSpacing.x + v + 4 + ImGui::CalcTextSize("(?)").x;
}

static void fact(const char* label, const std::string& value, const char* formula,
                 bool first = false) {
  flow(fact_width(label, value), first);
  value_with_help(label, value, formula);
}

// A C++ line in a code box; the comment goes under the code when both do not fit.
static void code_box(const std::string& code, const std::string& comment, float sc) {
  const float avail = ImGui::GetContentRegionAvail().x;
  ImGui::PushFont(fonts().mono);
  const std::string one = code + "  // " + comment;
  const float pad = 10.f * sc, vpad = 6.f * sc;
  const bool fits = ImGui::CalcTextSize(one.c_str()).x + 2 * pad <= avail;
  const std::string line2 = "// " + comment;
  const ImVec2 t1 = ImGui::CalcTextSize(fits ? one.c_str() : code.c_str());
  const ImVec2 t2 = fits ? ImVec2(0, 0) : ImGui::CalcTextSize(line2.c_str());
  const float w = std::min(avail, std::max(t1.x, t2.x) + 2 * pad);
  const float h = t1.y + (fits ? 0.f : t2.y + 2 * sc) + 2 * vpad;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), ink().code_bg, 6.f * sc);
  dl->AddRectFilled(p, ImVec2(p.x + 3 * sc, p.y + h), ink().accent, 6.f * sc,
                    ImDrawFlags_RoundCornersLeft);
  dl->PushClipRect(p, ImVec2(p.x + w - 4 * sc, p.y + h), true);
  dl->AddText(ImVec2(p.x + pad, p.y + vpad), ink().code_text, code.c_str());
  if (fits)
    dl->AddText(ImVec2(p.x + pad + ImGui::CalcTextSize(code.c_str()).x, p.y + vpad), ink().dim,
                ("  // " + comment).c_str());
  else
    dl->AddText(ImVec2(p.x + pad, p.y + vpad + t1.y + 2 * sc), ink().dim, line2.c_str());
  dl->PopClipRect();
  ImGui::Dummy(ImVec2(w, h));
  ImGui::PopFont();
}

// [SECTION] scrub bar

void draw_scrub_bar(AppState& app) {
  ShuffleState& s = app.shuffle;
  ShuffleClock& clock = s.clock;
  const int last = clock.stops - 1;
  const float sc = app.scale, w = ImGui::GetContentRegionAvail().x;
  ImFont* small = fonts().small;
  const float pad = std::min(46 * sc, w * 0.08f), x0_rel = pad, x1_rel = w - pad;
  const float spacing = (x1_rel - x0_rel) / float(last);
  // Labels: one row when they fit, two staggered rows when not, numbers only below that.
  float widest = 0.f;
  for (int k = 0; k <= last; ++k) {
    const std::string lab = stop_number(s, k) + " " + stop_label(s, k);
    widest = std::max(widest, small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, lab.c_str()).x);
  }
  const int rows = widest <= spacing - 8 * sc ? 1 : widest <= 2 * spacing - 8 * sc ? 2 : 0;
  const float h = (rows == 2 ? 46 + small->FontSize : 46) * sc;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("scrub", ImVec2(w, h));
  const float x0 = p.x + x0_rel, x1 = p.x + x1_rel, y = p.y + 14 * sc;
  auto x_of = [&](float t) { return x0 + (x1 - x0) * t / float(last); };
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.f))
    clock.scrub((ImGui::GetIO().MousePos.x - x0) / (x1 - x0) * float(last));
  else if (ImGui::IsItemClicked())
    clock.scrub(std::round((ImGui::GetIO().MousePos.x - x0) / (x1 - x0) * last));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Ink& k = ink();
  dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), k.faint, 4 * sc);
  dl->AddLine(ImVec2(x0, y), ImVec2(x_of(clock.t), y), k.accent, 4 * sc);
  for (int st = 0; st <= last; ++st) {
    const float x = x_of(float(st));
    const bool passed = clock.t >= st - 1e-3f, fail = s.fail_stop && st == kFailStop;
    const ImU32 ring = fail ? k.warn : passed ? k.accent : k.dim;
    dl->AddCircleFilled(ImVec2(x, y), 6 * sc, passed ? ring : k.card, 20);
    dl->AddCircle(ImVec2(x, y), 6 * sc, ring, 20, 1.5f * sc);
    const bool current = st == clock.nearest();
    const std::string lab =
        rows == 0 && !current ? stop_number(s, st) : stop_number(s, st) + " " + stop_label(s, st);
    const ImVec2 ts = small->CalcTextSizeA(small->FontSize, FLT_MAX, 0, lab.c_str());
    const float ly = y + 11 * sc + (rows == 2 && st % 2 ? small->FontSize + 2 * sc : 0.f);
    const float lx = std::clamp(x - ts.x * 0.5f, p.x, p.x + w - ts.x);
    dl->AddText(small, small->FontSize, ImVec2(lx, ly),
                current ? k.text
                : fail  ? k.warn
                        : k.dim,
                lab.c_str());
  }
  const ImVec2 hp(x_of(clock.t), y);
  dl->AddCircleFilled(ImVec2(hp.x, hp.y + 1.5f * sc), 10 * sc, k.shadow, 24);
  dl->AddCircleFilled(hp, 9 * sc, k.accent, 24);
  dl->AddCircleFilled(hp, 4 * sc, k.card, 16);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(tr("t = %.2f: drag to any point between steps"), clock.t);
}

// [SECTION] cards

static std::string strides_text(const ShuffleStep& st) {
  std::string v = "(";
  for (size_t d = 0; d < st.strides.size(); ++d)
    v += std::to_string(st.strides[d]) + (d + 1 < st.strides.size() ? ", " : "");
  return v + ")";
}

static void draw_strides(const ShuffleStep& st, int step) {
  ImGui::PushFont(fonts().mono);
  ImGui::TextUnformatted("(");
  for (size_t d = 0; d < st.strides.size(); ++d) {
    ImGui::SameLine(0, 0);
    const bool swapped = step == 2 && (d == 1 || d == 2);
    const std::string v = std::to_string(st.strides[d]) + (d + 1 < st.strides.size() ? ", " : "");
    if (swapped)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ink().warn), "%s", v.c_str());
    else
      ImGui::TextUnformatted(v.c_str());
  }
  ImGui::SameLine(0, 0);
  ImGui::TextUnformatted(")");
  ImGui::PopFont();
}

// A card is a title with a badge, a paragraph, the C++ line, then either the step's facts
// or the library's error message and a paragraph after it. Described as data, so that
// its height can be measured for every stop before any is drawn: the canvas below keeps
// one size, and so one tile size, whichever stop is shown.
struct Card {
  std::string title, badge;
  ImU32 badge_col = 0;
  std::string text;           // under the title
  std::string code, comment;  // the C++ line and its values
  int facts_step = -1;        // >= 0: the facts row of this step
  std::string error, after;   // the library's message, and a paragraph after it
};

static std::string fail_why(const ShuffleState& s) {
  const ShuffleStep& t = s.model.steps[2];
  char why[320];
  std::snprintf(
      why, sizeof why,
      tr("view only computes new strides: merging dims 1 and 2 into C needs stride[1] = "
         "stride[2]\xC2\xB7size[2], here %lld \xE2\x89\xA0 %lld\xC2\xB7%lld. contiguous() "
         "copies t into its own order first; then the merge is a plain view."),
      (long long)t.strides[1], (long long)t.strides[2], (long long)t.shape[2]);
  return why;
}

static Card card_for(const ShuffleState& s, int stop) {
  const ShuffleConfig& c = s.cfg;
  Card card;
  if (s.fail_stop && stop == kFailStop) {
    const bool fails = !s.model.view_error.empty();
    card.title = tr("Between 2 and 3  \xC2\xB7  view without contiguous()");
    card.badge = fails ? tr("VIEW FAILS") : tr("VIEW WORKS");
    card.badge_col = fails ? ink().warn : ink().good;
    card.text = fails ? tr("Skip contiguous() and the last view, tried straight on t, fails:")
                      : tr("Here t is already contiguous (G = 1 or G = C: the transpose swapped a "
                           "dim of size 1), so the view works without a copy.");
    card.code = "Tensor out = t.view({N, -1, H, W});";
    card.comment = "t.view({" + std::to_string(c.N) + ", -1, " + std::to_string(c.H) + ", " +
                   std::to_string(c.W) + "})";
    if (fails) {
      card.error = "sl::Error: " + s.model.view_error;
      card.after = fail_why(s);
    }
    return card;
  }
  const int k = step_of_stop(stop, s.fail_stop);
  const ShuffleStep& st = s.model.steps[k];
  const bool moved = st.bytes > 0;
  char step[64];
  std::snprintf(step, sizeof step, tr("Step %d"), k);
  card.title = std::string(step) + "  \xC2\xB7  " + (k == 0 ? tr(kStepLabels[k]) : kStepLabels[k]);
  char badge[96];
  std::snprintf(badge, sizeof badge, tr("DATA MOVES: %lld bytes copied"), (long long)st.bytes);
  card.badge = moved ? badge : (k == 0 ? tr("THE INPUT") : tr("NO DATA MOVES"));
  card.badge_col = moved ? ink().warn : (k == 0 ? ink().accent : ink().good);
  if (k == 3 && !moved)  // G = 1 or G = C: the transpose swapped a dim of size 1
    card.text = tr("With G = 1 or G = C one of the swapped dims has size 1, so t is already "
                   "contiguous: contiguous() returns it as is and nothing moves. The shuffle is "
                   "the identity.");
  else if (k == 2)
    card.text = std::string(tr(kStepWhy[k])) + " " +
                tr("The numbered hops on x's buffer are the order t reads it in.");
  else if (k == 3)
    card.text = std::string(tr(kStepWhy[k])) + " " +
                tr("y holds the floats in the order the hops of step 2 read them.");
  else
    card.text = tr(kStepWhy[k]);
  card.code = st.code;
  card.comment = st.code_values;
  card.facts_step = k;
  return card;
}

// The facts of a step: label, value, formula. Strides are drawn apart (two are coloured).
struct Fact {
  const char* label;
  std::string value, formula;
};
static std::vector<Fact> facts_of(const ShuffleState& s, int k) {
  const ShuffleStep& st = s.model.steps[k];
  const ShuffleConfig& c = s.cfg;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                tr("bytes copied by this step, measured by sl::copy_stats() around the call. "
                   "contiguous() copies every element once: N\xC2\xB7"
                   "C\xC2\xB7H\xC2\xB7W\xC2\xB7"
                   "4 bytes = %d\xC2\xB7%d\xC2\xB7%d\xC2\xB7%d\xC2\xB7"
                   "4 = %d. Views copy nothing."),
                c.N, c.C, c.H, c.W, c.N * c.C * c.H * c.W * 4);
  return {{tr("shape"), tuple_str(st.shape), kShapeFormula[k]},
          {tr("strides"), strides_text(st), tr(kStrideFormula[k])},
          {tr("contiguous"), st.contiguous ? tr("yes") : tr("no"),
           tr("contiguous = each stride equals the product of the sizes after it, i.e. the "
              "logical order is the memory order")},
          {tr("buffer"), st.shares_input_storage ? tr("x's") : tr("new"),
           tr("Does this step read the buffer x was created with? Views and transposes share "
              "it; contiguous() of a non-contiguous tensor allocates a new one.")},
          {tr("copied"), std::to_string(st.bytes) + " B", buf}};
}

// Height of a card drawn `width` wide: the same blocks draw_card lays out.
static float card_height(const ShuffleState& s, const Card& c, float width, float sc) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float sp = st.ItemSpacing.y, body = ImGui::GetFontSize();
  ImFont* title = fonts().title;
  ImFont* mono = fonts().mono;
  float h = 0.f;
  const float title_w = title->CalcTextSizeA(title->FontSize, FLT_MAX, 0, c.title.c_str()).x;
  const float badge_w = ImGui::CalcTextSize(c.badge.c_str()).x + 16 * sc;
  const float gap = body * 1.2f;
  h += std::max(title->FontSize, body + 6 * sc) + sp;
  if (title_w + gap + badge_w > width) h += body + 6 * sc + sp;  // the badge wraps
  h += ImGui::CalcTextSize(c.text.c_str(), nullptr, false, width).y + sp;
  const float pad = 10.f * sc, line = mono->FontSize;
  const float one = mono->CalcTextSizeA(line, FLT_MAX, 0, (c.code + "  // " + c.comment).c_str()).x;
  h += line + (one + 2 * pad <= width ? 0.f : line + 2 * sc) + 12 * sc + sp;
  if (c.facts_step >= 0) {
    float x = -1.f;
    int rows = 1;
    for (const Fact& f : facts_of(s, c.facts_step)) {
      const float w = fact_width(f.label, f.value);
      if (x < 0)
        x = w;
      else if (x + gap + w <= width)
        x += gap + w;
      else
        rows++, x = w;
    }
    h += rows * (body + sp);
  }
  if (!c.error.empty()) {
    h += mono->CalcTextSizeA(line, FLT_MAX, width - 20 * sc, c.error.c_str()).y + 16 * sc + sp;
    h += ImGui::CalcTextSize(c.after.c_str(), nullptr, false, width).y + sp;
  }
  return h;
}

static void draw_card(const ShuffleState& s, const Card& c, float sc) {
  // title and badge
  ImGui::PushFont(fonts().title);
  ImGui::TextUnformatted(c.title.c_str());
  ImGui::PopFont();
  const ImVec2 ts = ImGui::CalcTextSize(c.badge.c_str());
  flow(ts.x + 16 * sc, false);
  ImVec2 p = ImGui::GetCursorScreenPos();
  p.y += 3 * sc;
  ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + ts.x + 16 * sc, p.y + ts.y + 6 * sc),
                                            with_alpha(c.badge_col, 0.18f), 5.f * sc);
  ImGui::GetWindowDrawList()->AddText(ImVec2(p.x + 8 * sc, p.y + 3 * sc), c.badge_col,
                                      c.badge.c_str());
  ImGui::Dummy(ImVec2(ts.x + 16 * sc, ts.y + 6 * sc));

  ImGui::PushTextWrapPos(0.f);
  ImGui::TextDisabled("%s", c.text.c_str());
  ImGui::PopTextWrapPos();
  code_box(c.code, c.comment, sc);

  if (c.facts_step >= 0) {  // facts, each with its formula; they wrap in a narrow window
    bool first = true;
    for (const Fact& f : facts_of(s, c.facts_step)) {
      if (std::string(f.label) == tr("strides")) {
        flow(fact_width(f.label, f.value), first);
        ImGui::TextDisabled("%s", tr("strides"));
        ImGui::SameLine();
        draw_strides(s.model.steps[c.facts_step], c.facts_step);
        help_marker(f.formula.c_str());
      } else {
        fact(f.label, f.value, f.formula.c_str(), first);
      }
      first = false;
    }
  }
  if (!c.error.empty()) {  // the library's own message, as sl::Error carries it
    ImGui::PushFont(fonts().mono);
    const ImVec2 q = ImGui::GetCursorScreenPos();
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 es = ImGui::CalcTextSize(c.error.c_str(), nullptr, false, w - 20 * sc);
    const float bh = es.y + 12 * sc;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(q, ImVec2(q.x + w, q.y + bh), with_alpha(ink().warn, 0.14f), 6.f * sc);
    dl->AddRectFilled(q, ImVec2(q.x + 3 * sc, q.y + bh), ink().warn, 6.f * sc,
                      ImDrawFlags_RoundCornersLeft);
    dl->AddText(fonts().mono, fonts().mono->FontSize, ImVec2(q.x + 10 * sc, q.y + 6 * sc),
                ink().text, c.error.c_str(), nullptr, w - 20 * sc);
    ImGui::Dummy(ImVec2(w, bh + 4 * sc));
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextDisabled("%s", c.after.c_str());
    ImGui::PopTextWrapPos();
  }
}

void draw_stop_card(AppState& app) {
  const ShuffleState& s = app.shuffle;
  // Room for the tallest card of all stops, so the canvas keeps its size from stop to stop.
  const float width = ImGui::GetContentRegionAvail().x, y0 = ImGui::GetCursorPosY();
  float tallest = 0.f;
  for (int k = 0; k < s.clock.stops; ++k)
    tallest = std::max(tallest, card_height(s, card_for(s, k), width, app.scale));
  draw_card(s, card_for(s, s.clock.nearest()), app.scale);
  ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), y0 + tallest));
}

}  // namespace sl::viz
