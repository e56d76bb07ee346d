#pragma once
// The one table type of labelgraph: every tabular output (data set statistics, metric tables)
// is a Table written by one of the writers below.
//
// A column has a header, a kind and a number of decimals. Cells are empty, text or numbers;
// how a number prints depends on its column: integers without decimals, reals with the
// column's decimals in text / Markdown / LaTeX and at full (round-trip) precision in CSV and
// JSON, which are meant for programs.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace lg::report {

enum class ColumnKind { Text, Integer, Real };

struct Column {
  std::string header;                ///< column title (also the JSON key)
  ColumnKind kind = ColumnKind::Text;  ///< how cells print and align
  int decimals = 3;                  ///< digits after the point for Real in human formats
};

/// One cell: empty, text or a number.
class Cell {
 public:
  Cell() = default;
  Cell(std::string text) : kind_(Kind::Text), text_(std::move(text)) {}  // NOLINT: implicit
  Cell(const char* text) : Cell(std::string(text)) {}                     // NOLINT: implicit
  template <class T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Cell(T value) : kind_(Kind::Number), number_(static_cast<double>(value)) {}  // NOLINT: implicit

  bool empty() const { return kind_ == Kind::Empty; }
  bool is_number() const { return kind_ == Kind::Number; }
  const std::string& text() const { return text_; }
  double number() const { return number_; }

 private:
  enum class Kind { Empty, Text, Number };
  Kind kind_ = Kind::Empty;
  std::string text_;
  double number_ = 0.0;
};

struct Table {
  std::string title;                    ///< caption; printed above the table when not empty
  std::vector<Column> columns;          ///< header, kind and decimals of each column
  std::vector<std::vector<Cell>> rows;  ///< each row has one cell per column

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
/// LaTeX special characters in text are escaped.
std::string to_latex(const Table& table);
/// JSON array of row objects keyed by header; reals at full precision, empty cells null.
std::string to_json(const Table& table, int indent = 2);

/// The output formats every table-writing command offers.
enum class TableFormat { Text, Markdown, Csv, Latex, Json };
/// The names accepted on command lines: text, md, csv, latex, json.
const std::vector<std::string>& table_format_names();
/// Parse a format name; throws lg::Error naming the accepted ones.
TableFormat parse_table_format(const std::string& name);
/// Write with the writer for `format`.
std::string render(const Table& table, TableFormat format);

}  // namespace lg::report
