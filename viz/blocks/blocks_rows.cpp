// viz/blocks/blocks_rows.cpp - what the Blocks panel lists, from a Profile: the table per
// layer, block or stage (shares of MAdds, MAC and time side by side), the summary by op
// category with its one-line finding, two profiles stage by stage, the CSV and Markdown
// exports and the number formats. Every count is nn/cost's; this file only sums rows the
// Profile holds, divides for shares, sorts and formats. Not here: drawing.
//
// [SECTION] index
//   table       rows per layer / block / stage, sorting, CSV and Markdown
//   categories  the summary by op category and its one-line finding
//   compare     two profiles stage by stage
//   format      numbers as text
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "viz/blocks/blocks_state.h"

namespace sl::viz {

// [SECTION] table

static double share(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

std::vector<TableRow> table_rows(const Profile& p, TableLevel level) {
  std::vector<TableRow> rows;
  auto finish = [&](TableRow& r) {
    r.share_madds = share((double)r.madds, (double)p.madds);
    r.share_mac = share((double)r.mac, (double)p.mac);
    r.share_time = share(r.time_ms, p.time_ms);
    r.free_but_slow = r.madds == 0 && r.time_ms > 0 && r.share_time >= 0.005;
    r.order = (int)rows.size();
    rows.push_back(r);
  };
  if (level == TableLevel::layers) {
    for (int i = 0; i < (int)p.layers.size(); ++i) {
      const LayerCost& l = p.layers[(size_t)i];
      TableRow r;
      r.name = l.name;
      r.kind = l.kind;
      r.category = l.category;
      r.shape = dims_str(l.out_shape);
      r.params = l.params;
      r.madds = l.madds;
      r.mac = l.mac;
      r.time_ms = l.time_ms;
      r.time_min_ms = l.time_min_ms;
      r.time_max_ms = l.time_max_ms;
      r.first_layer = i;
      finish(r);
    }
    return rows;
  }
  for (const BlockCost& b : level == TableLevel::blocks ? p.blocks : p.stages) {
    TableRow r;
    r.name = b.name;
    r.params = b.params;
    r.madds = b.madds;
    r.mac = b.mac;
    r.time_ms = b.time_ms;
    r.time_min_ms = b.time_min_ms;
    r.time_max_ms = b.time_max_ms;
    r.first_layer = b.first_layer;
    r.num_layers = b.num_layers;
    if (b.num_layers > 0)
      r.shape = dims_str(p.layers[size_t(b.first_layer + b.num_layers - 1)].out_shape);
    finish(r);
  }
  return rows;
}

void sort_rows(std::vector<TableRow>& rows, TableColumn col, bool ascending) {
  auto key = [col](const TableRow& r) -> double {
    switch (col) {
      case TableColumn::params: return (double)r.params;
      case TableColumn::madds: return (double)r.madds;
      case TableColumn::mac: return (double)r.mac;
      case TableColumn::time: return r.time_ms;
      case TableColumn::share_madds: return r.share_madds;
      case TableColumn::share_mac: return r.share_mac;
      case TableColumn::share_time: return r.share_time;
      default: return (double)r.order;
    }
  };
  auto text = [col](const TableRow& r) -> const std::string& {
    return col == TableColumn::name ? r.name : col == TableColumn::kind ? r.kind : r.shape;
  };
  const bool by_text =
      col == TableColumn::name || col == TableColumn::kind || col == TableColumn::shape;
  std::stable_sort(rows.begin(), rows.end(), [&](const TableRow& x, const TableRow& y) {
    if (by_text) return ascending ? text(x) < text(y) : text(y) < text(x);
    return ascending ? key(x) < key(y) : key(y) < key(x);
  });
}

std::string table_text(const Profile& p, const std::vector<TableRow>& rows, bool markdown) {
  std::string out;
  const char* cols[] = {"name", "kind",    "output",      "params",    "madds",
                        "mac",  "time_ms", "madds_share", "mac_share", "time_share"};
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (markdown)
        out += "| ";
      else if (i > 0)
        out += ",";
      out += cells[i];
      if (markdown) out += " ";
    }
    out += markdown ? "|\n" : "\n";
  };
  line(std::vector<std::string>(std::begin(cols), std::end(cols)));
  if (markdown) line({"---", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"});
  auto frac = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return std::string(buf);
  };
  for (const TableRow& r : rows) {
    std::vector<std::string> c = {r.name,
                                  r.kind,
                                  r.shape,
                                  std::to_string(r.params),
                                  std::to_string(r.madds),
                                  std::to_string(r.mac),
                                  ms_str(r.time_ms),
                                  frac(r.share_madds),
                                  frac(r.share_mac),
                                  frac(r.share_time)};
    line(c);
  }
  std::vector<std::string> total = {"total",
                                    "",
                                    dims_str(p.input),
                                    std::to_string(p.params),
                                    std::to_string(p.madds),
                                    std::to_string(p.mac),
                                    ms_str(p.time_ms),
                                    "1",
                                    "1",
                                    "1"};
  line(total);
  return out;
}

// [SECTION] categories

CategorySummary summarize_categories(const Profile& p, const std::string& backend) {
  CategorySummary s;
  auto add = [&](CategoryRow r) {
    r.share_madds = share((double)r.madds, (double)p.madds);
    r.share_mac = share((double)r.mac, (double)p.mac);
    r.share_time = share(r.time_ms, p.time_ms);
    r.flops_blind = r.madds == 0;
    if (r.flops_blind) {
      s.blind_time_ms += r.time_ms;
      s.blind_time_share += r.share_time;
      s.blind_mac_share += r.share_mac;
    }
    s.rows.push_back(r);
  };
  for (const CategoryCost& c : by_category(p))  // nn/cost sums; the panel only divides
    add({.category = c.category,
         .layers = c.layers,
         .madds = c.madds,
         .mac = c.mac,
         .time_ms = c.time_ms});
  std::string names;
  for (const CategoryRow& r : s.rows)
    if (r.flops_blind) {
      if (!names.empty()) names += ", ";
      names += r.category;
    }
  if (p.timed)
    s.line = pct(s.blind_time_share) + " of the measured time on " + backend + " (" +
             ms_str(s.blind_time_ms) + " of " + ms_str(p.time_ms) +
             " ms) goes to ops that FLOPs count as free: " + names + ". They do " +
             pct(s.blind_mac_share) + " of the memory access.";
  else
    s.line = "not timed: " + pct(s.blind_mac_share) +
             " of the memory access is in ops with 0 MAdds (" + names + ")";
  return s;
}

// [SECTION] compare

std::vector<CompareRow> compare_rows(const Profile& a, const Profile& b) {
  std::vector<CompareRow> rows;
  // Stages in a's forward order; a stage only b has goes after the one it follows in b.
  size_t after = 0;
  for (int side = 0; side < 2; ++side) {
    after = 0;
    for (const BlockCost& s : (side == 0 ? a : b).stages) {
      size_t at = 0;
      while (at < rows.size() && rows[at].name != s.name) ++at;
      if (at == rows.size()) {
        at = side == 0 ? rows.size() : std::min(after, rows.size());
        rows.insert(rows.begin() + (long)at, CompareRow());
        rows[at].name = s.name;
      }
      CompareRow& r = rows[at];
      r.params[side] = s.params;
      r.madds[side] = s.madds;
      r.mac[side] = s.mac;
      r.time_ms[side] = s.time_ms;
      r.in[side] = true;
      after = at + 1;
    }
  }
  CompareRow t;
  t.name = "total";
  const Profile* ps[2] = {&a, &b};
  for (int side = 0; side < 2; ++side) {
    t.params[side] = ps[side]->params;
    t.madds[side] = ps[side]->madds;
    t.mac[side] = ps[side]->mac;
    t.time_ms[side] = ps[side]->time_ms;
    t.in[side] = true;
  }
  rows.push_back(t);
  return rows;
}

std::string compare_line(const Profile& a, const Profile& b) {
  if (a.time_ms <= 0 || b.time_ms <= 0) return "not timed";
  const double d = b.time_ms - a.time_ms;
  const Profile& fast = d >= 0 ? a : b;
  const Profile& slow = d >= 0 ? b : a;
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "%s is %s ms faster than %s (%s less time), with %s of its MAdds and %s of its MAC.",
      fast.model.c_str(), ms_str(std::fabs(d)).c_str(), slow.model.c_str(),
      pct(std::fabs(d) / slow.time_ms).c_str(),
      pct(share((double)fast.madds, (double)slow.madds)).c_str(),
      pct(share((double)fast.mac, (double)slow.mac)).c_str());
  return buf;
}

std::string compare_text(const Profile& a, const Profile& b, bool markdown) {
  std::string out;
  const std::string sep = markdown ? " | " : ",";
  auto line = [&](const std::vector<std::string>& c) {
    if (markdown) out += "| ";
    for (size_t i = 0; i < c.size(); ++i) {
      if (i) out += sep;
      out += c[i];
    }
    out += markdown ? " |\n" : "\n";
  };
  line({"stage", a.model + " madds", b.model + " madds", a.model + " mac", b.model + " mac",
        a.model + " time_ms", b.model + " time_ms"});
  if (markdown) line({"---", "---:", "---:", "---:", "---:", "---:", "---:"});
  for (const CompareRow& r : compare_rows(a, b)) {
    auto cell = [&](int side, int64_t v) { return r.in[side] ? std::to_string(v) : std::string(); };
    line({r.name, cell(0, r.madds[0]), cell(1, r.madds[1]), cell(0, r.mac[0]), cell(1, r.mac[1]),
          r.in[0] ? ms_str(r.time_ms[0]) : "", r.in[1] ? ms_str(r.time_ms[1]) : ""});
  }
  return out;
}

// [SECTION] format

std::string si(double v) {
  const double a = std::fabs(v);
  char buf[32];
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string ms_str(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", t);
  return buf;
}

std::string pct(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s > 0 && s < 0.001 ? "%.2f%%" : "%.1f%%", 100.0 * s);
  return buf;
}

std::string dims_str(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

}  // namespace sl::viz
