#pragma once
// The one table type of labelgraph: every tabular output (data set statistics, metric tables)
// is a Table written by one of the writers below.
//
// A column has a header, a kind and a number of decimals. Cells are empty, text or numbers;
// how a number prints depends on its column: integers without decimals, reals with the
// column's decimals in text / Markdown / LaTeX and at full (round-trip) precision in CSV and
// JSON, which are meant for programs.
//
// Measures: a column may say which way is better (Better::Higher / Lower). Human formats then
// put ↑ / ↓ after its header (LaTeX: $\uparrow$ / $\downarrow$), and LaTeX and Markdown set
// the best value of the column in bold: best as printed (values equal at the column's decimals
// tie, and ties are all bold), within each group of rows when Table::group_by is set.
// A cell may hold a mean with its standard deviation (Cell::mean_sd): "0.812 ± 0.010" in text
// and Markdown, $0.812 \pm 0.010$ in LaTeX. CSV and JSON carry the sd as a separate field named
// `<header>_sd` right after the column's own (empty / null where a cell has no sd), added only
// to columns with at least one such cell; the value field holds the mean.
//
// Papers: a cell may carry a mark (Cell::with_mark, e.g. a significance mark "•" / $^\bullet$)
// printed right after its value; CSV and JSON carry it as a field `<header>_mark` after the
// column's own (and its sd), added only to columns with a mark. Table::row_better bolds the
// best value along each row instead of down each column (data sets × algorithms tables),
// Table::rules_before draws LaTeX rules before chosen rows, and Table::notes print below the
// table (what the marks mean, the tests' statistics).
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace lg::report {

enum class ColumnKind { Text, Integer, Real };

/// Which values of a column are better (for measures); Unspecified for anything else.
enum class Better { Unspecified, Higher, Lower };

struct Column {
  std::string header;                ///< column title (also the JSON key)
  ColumnKind kind = ColumnKind::Text;  ///< how cells print and align
  int decimals = 3;                  ///< digits after the point for Real in human formats
  Better better = Better::Unspecified;  ///< direction: arrow after the header, bold best
};

/// One cell: empty, text, a number or a mean with its standard deviation.
class Cell {
 public:
  Cell() = default;
  Cell(std::string text) : kind_(Kind::Text), text_(std::move(text)) {}  // NOLINT: implicit
  Cell(const char* text) : Cell(std::string(text)) {}                     // NOLINT: implicit
  template <class T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Cell(T value) : kind_(Kind::Number), number_(static_cast<double>(value)) {}  // NOLINT: implicit

  /// A mean with its standard deviation; number() is the mean.
  static Cell mean_sd(double mean, double sd) {
    Cell c(mean);
    c.kind_ = Kind::MeanSd;
    c.sd_ = sd;
    return c;
  }

  /// This cell with a mark after its value: `text` in text / Markdown / CSV / JSON, `latex`
  /// (raw LaTeX, e.g. "$^{\\bullet}$") in LaTeX.
  Cell with_mark(std::string text, std::string latex) const {
    Cell c = *this;
    c.mark_text_ = std::move(text);
    c.mark_latex_ = std::move(latex);
    return c;
  }

  bool empty() const { return kind_ == Kind::Empty; }
  bool is_number() const { return kind_ == Kind::Number || kind_ == Kind::MeanSd; }
  bool has_sd() const { return kind_ == Kind::MeanSd; }
  const std::string& text() const { return text_; }
  double number() const { return number_; }
  double sd() const { return sd_; }  ///< 0 unless has_sd()
  const std::string& mark() const { return mark_text_; }        ///< "" without a mark
  const std::string& mark_latex() const { return mark_latex_; }  ///< "" without a mark

 private:
  enum class Kind { Empty, Text, Number, MeanSd };
  Kind kind_ = Kind::Empty;
  std::string text_;
  double number_ = 0.0;
  double sd_ = 0.0;
  std::string mark_text_, mark_latex_;
};

/// A line printed below a table.
struct Note {
  std::string text;   ///< as text and Markdown print it
  std::string latex;  ///< raw LaTeX; empty: `text` escaped
};

struct Table {
  std::string title;                    ///< caption; printed above the table when not empty
  std::vector<Column> columns;          ///< header, kind and decimals of each column
  std::vector<std::vector<Cell>> rows;  ///< each row has one cell per column
  /// Header of a column whose runs of equal consecutive cells form groups of rows (e.g.
  /// "dataset" in algorithms × data sets): best values are found per group, and LaTeX draws a
  /// \midrule between groups. Empty: the whole table is one group.
  std::string group_by;
  /// Bold the best value of each column with a direction (false: arrows only, e.g. per-label
  /// tables where a "best label" means nothing).
  bool highlight_best = true;
  /// Empty: best values are found down each column. Otherwise one entry per row: the best
  /// numeric value along the row is bold (Higher / Lower; Unspecified rows have none), and
  /// the columns' own directions only put arrows on their headers.
  std::vector<Better> row_better;
  /// Rows before which LaTeX draws a \midrule (e.g. before summary rows), besides groups.
  std::vector<std::size_t> rules_before;
  /// Lines below the table: text and Markdown after it, LaTeX inside the float under the
  /// tabular (small type); not in CSV or JSON.
  std::vector<Note> notes;

  /// Append a row; throws lg::Error if its size differs from the number of columns.
  void add_row(std::vector<Cell> cells);
};

/// Aligned plain-text columns (text left, numbers right), a dashed rule under the header.
std::string to_text(const Table& table);
/// GitHub-flavoured Markdown (numbers right-aligned, `|` escaped).
std::string to_markdown(const Table& table);
/// CSV: header row then data rows, quoted per RFC 4180 (fields with , " CR or LF are quoted,
/// quotes doubled); records end with LF; reals at full precision.
std::string to_csv(const Table& table);
/// LaTeX booktabs tabular (in a table float with a caption when the title is set);
/// LaTeX special characters in text are escaped. Needs \usepackage{booktabs}; arrows and
/// $\pm$ are plain LaTeX math.
std::string to_latex(const Table& table);
/// JSON array of row objects keyed by header; reals at full precision, empty cells null.
std::string to_json(const Table& table, int indent = 2);

/// Which cells are the best of their column (and group), as the bold in LaTeX/Markdown:
/// result[row][column]. All false for columns without a direction or with highlight_best off.
std::vector<std::vector<bool>> best_cells(const Table& table);

/// The output formats every table-writing command offers.
enum class TableFormat { Text, Markdown, Csv, Latex, Json };
/// The names accepted on command lines: text, md, csv, latex, json.
const std::vector<std::string>& table_format_names();
/// Parse a format name; throws lg::Error naming the accepted ones.
TableFormat parse_table_format(const std::string& name);
/// Write with the writer for `format`.
std::string render(const Table& table, TableFormat format);

}  // namespace lg::report
