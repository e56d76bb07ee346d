#include "report/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace lg::report {

void Table::add_row(std::vector<Cell> cells) {
  if (cells.size() != columns.size())
    throw Error(fmt::format("table '{}': row with {} cells, expected one per column ({})", title,
                            cells.size(), columns.size()));
  rows.push_back(std::move(cells));
}

namespace {

bool is_numeric(const Column& c) { return c.kind != ColumnKind::Text; }

/// A number as people read it: integers without, reals with the column's decimals.
std::string human_number(double v, const Column& col) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  if (col.kind == ColumnKind::Integer) return fmt::format("{:.0f}", v);
  if (col.kind == ColumnKind::Real) return fmt::format("{:.{}f}", v, std::max(0, col.decimals));
  return fmt::format("{}", v);
}

/// A cell's value as people read it: reals with the column's decimals, "mean ± sd".
std::string human_value(const Cell& cell, const Column& col) {
  if (cell.empty()) return "";
  if (!cell.is_number()) return cell.text();
  if (cell.has_sd())
    return human_number(cell.number(), col) + " ± " + human_number(cell.sd(), col);
  return human_number(cell.number(), col);
}

/// The value and its mark.
std::string human(const Cell& cell, const Column& col) {
  return human_value(cell, col) + cell.mark();
}

/// The header with its direction arrow, for text and Markdown.
std::string human_header(const Column& col) {
  switch (col.better) {
    case Better::Higher: return col.header + " ↑";
    case Better::Lower: return col.header + " ↓";
    case Better::Unspecified: break;
  }
  return col.header;
}

/// Characters on screen: UTF-8 code points (± and the arrows are several bytes).
std::size_t display_width(const std::string& s) {
  const auto starts_a_character = [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  };
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), starts_a_character));
}

/// Columns whose CSV / JSON output gains a `<header>_sd` field.
std::vector<bool> sd_columns(const Table& table) {
  std::vector<bool> out(table.columns.size(), false);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size(); ++c) out[c] = out[c] || row[c].has_sd();
  return out;
}

/// Columns whose CSV / JSON output gains a `<header>_mark` field.
std::vector<bool> mark_columns(const Table& table) {
  std::vector<bool> out(table.columns.size(), false);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size(); ++c) out[c] = out[c] || !row[c].mark().empty();
  return out;
}

/// First row of each group (Table::group_by), plus rows.size() at the end.
std::vector<std::size_t> group_starts(const Table& table) {
  std::vector<std::size_t> starts = {0};
  if (!table.group_by.empty()) {
    const auto it = std::find_if(table.columns.begin(), table.columns.end(),
                                 [&](const Column& c) { return c.header == table.group_by; });
    if (it == table.columns.end())
      throw Error(fmt::format("table '{}': group_by names no column ('{}')", table.title,
                              table.group_by));
    const auto g = static_cast<std::size_t>(it - table.columns.begin());
    for (std::size_t r = 1; r < table.rows.size(); ++r)
      if (human(table.rows[r][g], *it) != human(table.rows[r - 1][g], *it)) starts.push_back(r);
  }
  if (starts.back() != table.rows.size()) starts.push_back(table.rows.size());
  return starts;
}

/// A cell for programs: integers exact, reals shortest round-trip.
std::string exact(const Cell& cell, const Column& col) {
  if (cell.empty()) return "";
  if (!cell.is_number()) return cell.text();
  if (col.kind == ColumnKind::Integer && std::isfinite(cell.number()))
    return fmt::format("{:.0f}", cell.number());
  return fmt::format("{}", cell.number());
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  const std::size_t w = display_width(s);
  const std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string markdown_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

/// A number or mean ± sd cell in LaTeX, bold when best.
std::string latex_number_only(const Cell& cell, const Column& col, bool bold) {
  const std::string mean = human_number(cell.number(), col);
  if (cell.has_sd()) {
    const std::string sd = human_number(cell.sd(), col);
    if (!std::isfinite(cell.number()) || !std::isfinite(cell.sd()))
      return latex_escape(mean + " +/- " + sd);
    // \mathbf, not \textbf: the pair is set in math mode for \pm.
    return bold ? "$\\mathbf{" + mean + " \\pm " + sd + "}$" : "$" + mean + " \\pm " + sd + "$";
  }
  return bold ? "\\textbf{" + latex_escape(mean) + "}" : latex_escape(mean);
}

std::string latex_number(const Cell& cell, const Column& col, bool bold) {
  return latex_number_only(cell, col, bold) + cell.mark_latex();
}

std::string latex_header(const Column& col) {
  switch (col.better) {
    case Better::Higher: return latex_escape(col.header) + " $\\uparrow$";
    case Better::Lower: return latex_escape(col.header) + " $\\downarrow$";
    case Better::Unspecified: break;
  }
  return latex_escape(col.header);
}

}  // namespace

std::vector<std::vector<bool>> best_cells(const Table& table) {
  std::vector<std::vector<bool>> best(table.rows.size(),
                                      std::vector<bool>(table.columns.size(), false));
  if (!table.highlight_best) return best;
  // Compare values as printed, so that what reads as a tie is bold everywhere.
  auto printed = [&](const Cell& cell, const Column& col) {
    const std::string text = human_number(cell.number(), col);
    double v = 0.0;
    std::from_chars(text.data(), text.data() + text.size(), v);  // locale-independent
    return v;
  };
  if (!table.row_better.empty()) {
    if (table.row_better.size() != table.rows.size())
      throw Error(fmt::format("table '{}': row_better has {} entries, expected one per row ({})",
                              table.title, table.row_better.size(), table.rows.size()));
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const Better better = table.row_better[r];
      if (better == Better::Unspecified) continue;
      const auto usable = [&](std::size_t c) {
        const Cell& cell = table.rows[r][c];
        return is_numeric(table.columns[c]) && cell.is_number() && std::isfinite(cell.number());
      };
      bool any = false;
      double top = 0.0;
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (!usable(c)) continue;
        const double v = printed(table.rows[r][c], table.columns[c]);
        if (!any || (better == Better::Higher ? v > top : v < top)) top = v;
        any = true;
      }
      for (std::size_t c = 0; c < table.columns.size(); ++c)
        best[r][c] = usable(c) && printed(table.rows[r][c], table.columns[c]) == top;
    }
    return best;
  }
  const std::vector<std::size_t> starts = group_starts(table);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Column& col = table.columns[c];
    if (col.better == Better::Unspecified || !is_numeric(col)) continue;
    for (std::size_t g = 0; g + 1 < starts.size(); ++g) {
      bool any = false;
      double top = 0.0;
      for (std::size_t r = starts[g]; r < starts[g + 1]; ++r) {
        const Cell& cell = table.rows[r][c];
        if (!cell.is_number() || !std::isfinite(cell.number())) continue;
        const double v = printed(cell, col);
        if (!any || (col.better == Better::Higher ? v > top : v < top)) top = v;
        any = true;
      }
      for (std::size_t r = starts[g]; any && r < starts[g + 1]; ++r) {
        const Cell& cell = table.rows[r][c];
        best[r][c] =
            cell.is_number() && std::isfinite(cell.number()) && printed(cell, col) == top;
      }
    }
  }
  return best;
}

std::string to_text(const Table& table) {
  const std::size_t ncol = table.columns.size();
  std::vector<std::size_t> width(ncol);
  for (std::size_t c = 0; c < ncol; ++c) width[c] = display_width(human_header(table.columns[c]));
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < ncol; ++c)
      width[c] = std::max(width[c], display_width(human(row[c], table.columns[c])));

  auto line = [&](auto cell_text) {
    std::string out;
    for (std::size_t c = 0; c < ncol; ++c) {
      if (c) out += "  ";
      out += pad(cell_text(c), width[c], is_numeric(table.columns[c]));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + '\n';
  };
  std::string out;
  if (!table.title.empty()) out += table.title + '\n';
  out += line([&](std::size_t c) { return human_header(table.columns[c]); });
  out += line([&](std::size_t c) { return std::string(width[c], '-'); });
  for (const auto& row : table.rows)
    out += line([&](std::size_t c) { return human(row[c], table.columns[c]); });
  for (const Note& note : table.notes) out += note.text + '\n';
  return out;
}

std::string to_markdown(const Table& table) {
  std::string out;
  if (!table.title.empty()) out += "**" + markdown_escape(table.title) + "**\n\n";
  std::string header = "|", rule = "|";
  for (const Column& col : table.columns) {
    header += " " + markdown_escape(human_header(col)) + " |";
    rule += is_numeric(col) ? "---:|" : "---|";
  }
  out += header + '\n' + rule + '\n';
  const auto best = best_cells(table);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    out += "|";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string text = markdown_escape(human_value(row[c], table.columns[c]));
      out += " " + (best[r][c] ? "**" + text + "**" : text) + markdown_escape(row[c].mark()) +
             " |";
    }
    out += '\n';
  }
  if (!table.notes.empty()) out += '\n';
  for (const Note& note : table.notes) out += markdown_escape(note.text) + "  \n";
  return out;
}

std::string to_csv(const Table& table) {
  const std::vector<bool> with_sd = sd_columns(table);
  const std::vector<bool> with_mark = mark_columns(table);
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out += (c ? "," : "") + csv_field(table.columns[c].header);
    if (with_sd[c]) out += "," + csv_field(table.columns[c].header + "_sd");
    if (with_mark[c]) out += "," + csv_field(table.columns[c].header + "_mark");
  }
  out += '\n';
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += (c ? "," : "") + csv_field(exact(row[c], table.columns[c]));
      if (with_sd[c]) out += "," + (row[c].has_sd() ? fmt::format("{}", row[c].sd()) : "");
      if (with_mark[c]) out += "," + csv_field(row[c].mark());
    }
    out += '\n';
  }
  return out;
}

std::string to_latex(const Table& table) {
  std::string spec;
  for (const Column& col : table.columns) spec += is_numeric(col) ? 'r' : 'l';
  std::string body = "\\begin{tabular}{" + spec + "}\n\\toprule\n";
  auto line = [&](auto cell_text) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) out += (c ? " & " : "") + cell_text(c);
    return out + " \\\\\n";
  };
  body += line([&](std::size_t c) { return latex_header(table.columns[c]); });
  body += "\\midrule\n";
  const auto best = best_cells(table);
  const std::vector<std::size_t> starts = group_starts(table);
  for (std::size_t r = 0, g = 1; r < table.rows.size(); ++r) {
    const bool group_change = g + 1 < starts.size() && r == starts[g];
    if (group_change) ++g;
    if (group_change || std::find(table.rules_before.begin(), table.rules_before.end(), r) !=
                            table.rules_before.end())
      body += "\\midrule\n";
    body += line([&](std::size_t c) {
      const Cell& cell = table.rows[r][c];
      return cell.is_number() ? latex_number(cell, table.columns[c], best[r][c])
                              : latex_escape(human_value(cell, table.columns[c])) +
                                    cell.mark_latex();
    });
  }
  body += "\\bottomrule\n\\end{tabular}\n";
  std::string notes;
  for (const Note& note : table.notes)
    notes += (notes.empty() ? "" : "\\\\\n") + (note.latex.empty() ? latex_escape(note.text) : note.latex);
  if (!notes.empty()) notes = "\\par\\smallskip\n{\\footnotesize\n" + notes + "\n\\par}\n";
  if (table.title.empty()) return body + notes;
  return "\\begin{table}[ht]\n\\centering\n\\caption{" + latex_escape(table.title) + "}\n" +
         body + notes + "\\end{table}\n";
}

std::string to_json(const Table& table, int indent) {
  const std::vector<bool> with_sd = sd_columns(table);
  const std::vector<bool> with_mark = mark_columns(table);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      const Cell& cell = row[c];
      const Column& col = table.columns[c];
      nlohmann::ordered_json& v = obj[col.header];
      if (cell.empty() || (cell.is_number() && !std::isfinite(cell.number())))
        v = nullptr;
      else if (!cell.is_number())
        v = cell.text();
      else if (col.kind == ColumnKind::Integer)
        v = static_cast<std::int64_t>(std::llround(cell.number()));
      else
        v = cell.number();
      if (with_sd[c]) {
        nlohmann::ordered_json& sd = obj[col.header + "_sd"];
        if (cell.has_sd() && std::isfinite(cell.sd())) sd = cell.sd();
        else sd = nullptr;
      }
      if (with_mark[c]) obj[col.header + "_mark"] = cell.mark();
    }
    rows.push_back(std::move(obj));
  }
  return rows.dump(indent) + '\n';
}

const std::vector<std::string>& table_format_names() {
  static const std::vector<std::string> names = {"text", "md", "csv", "latex", "json"};
  return names;
}

TableFormat parse_table_format(const std::string& name) {
  if (name == "text") return TableFormat::Text;
  if (name == "md" || name == "markdown") return TableFormat::Markdown;
  if (name == "csv") return TableFormat::Csv;
  if (name == "latex" || name == "tex") return TableFormat::Latex;
  if (name == "json") return TableFormat::Json;
  throw Error(fmt::format("unknown table format '{}': expected one of {}", name,
                          fmt::join(table_format_names(), ", ")));
}

std::string render(const Table& table, TableFormat format) {
  switch (format) {
    case TableFormat::Text: return to_text(table);
    case TableFormat::Markdown: return to_markdown(table);
    case TableFormat::Csv: return to_csv(table);
    case TableFormat::Latex: return to_latex(table);
    case TableFormat::Json: return to_json(table);
  }
  return to_text(table);
}

}  // namespace lg::report
