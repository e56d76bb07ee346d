// CSV reader (format rules in the header): a streaming RFC 4180 record reader, then the header
// decides which columns are labels and every row is parsed into dense arrays.
#include "io/csv_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "io/line_pieces.hpp"

namespace lg {
namespace {
namespace fs = std::filesystem;

constexpr int kEnd = -1;

// Streams RFC 4180 records out of a file through a large buffer. Fields of the current record
// live in one reused string, so reading a row allocates nothing once the buffers are warm.
class CsvRecords {
 public:
  explicit CsvRecords(const fs::path& path)
      : file_(path.string()), in_(std::fopen(file_.c_str(), "rb"), &std::fclose) {
    if (!in_) throw Error(file_, 0, fmt::format("cannot open the file: {}", std::strerror(errno)));
    std::error_code ec;
    const std::uintmax_t bytes = fs::file_size(path, ec);
    buf_.resize(read_buffer_bytes(std::size_t{1} << 20, ec ? 0 : bytes, 64));
    if (peek() == 0xEF && len_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0)
      pos_ = 3;  // UTF-8 byte-order mark (spreadsheet exports)
  }

  const std::string& file() const { return file_; }
  bool empty_file() const { return total_ == 0; }
  std::size_t line() const { return record_line_; }  ///< line where the current record starts
  std::size_t size() const { return ends_.size(); }
  std::string_view field(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }

  /// Reads the next record that is not a blank line; false at the end of the file.
  bool next() {
    for (;;) {
      text_.clear();
      ends_.clear();
      const int c = peek();
      if (c == kEnd) return false;
      record_line_ = line_;
      if (c == '\r' || c == '\n') {
        end_line();
        continue;
      }
      read_fields();
      if (!is_blank_record()) return true;
    }
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& message) const {
    throw Error(file_, line, message);
  }

  int peek() {
    if (pos_ == len_ && !fill()) return kEnd;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  int get() {
    const int c = peek();
    if (c != kEnd) ++pos_;
    return c;
  }
  bool fill() {
    len_ = std::fread(buf_.data(), 1, buf_.size(), in_.get());
    if (std::ferror(in_.get()))
      throw Error(file_, 0, fmt::format("cannot read the file: {}", std::strerror(errno)));
    pos_ = 0;
    total_ += len_;
    return len_ > 0;
  }

  // Consumes a line end (LF, CRLF or a lone CR).
  void end_line() {
    if (get() == '\r' && peek() == '\n') get();
    ++line_;
  }

  void read_fields() {
    for (;;) {
      if (peek() == '"') read_quoted();
      else read_plain();
      ends_.push_back(text_.size());
      const int c = peek();
      if (c == ',') {
        get();
        continue;
      }
      if (c != kEnd) end_line();
      return;
    }
  }

  void read_plain() {
    for (int c = peek(); c != kEnd && c != ',' && c != '\n' && c != '\r'; c = peek())
      text_.push_back(static_cast<char>(get()));
  }

  // A quoted field: "" is a quote, line breaks are kept (and counted).
  void read_quoted() {
    const std::size_t open_line = line_;
    get();
    for (;;) {
      const int c = get();
      if (c == kEnd) fail(open_line, "expected a closing '\"', found the end of the file (unterminated quote)");
      if (c == '"') {
        if (peek() != '"') break;
        get();
      }
      if (c == '\n') ++line_;
      text_.push_back(static_cast<char>(c));
    }
    const int after = peek();
    if (after != ',' && after != '\n' && after != '\r' && after != kEnd)
      fail(line_, fmt::format("expected ',' or the end of the line after a closing quote, found '{}'",
                              static_cast<char>(after)));
  }

  // A line of spaces and tabs only counts as blank.
  bool is_blank_record() const {
    return ends_.size() == 1 && text_.find_first_not_of(" \t") == std::string::npos;
  }

  std::string file_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0, total_ = 0;
  std::size_t line_ = 1, record_line_ = 0;
  std::string text_;
  std::vector<std::size_t> ends_;
};

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool is_missing(std::string_view s) { return s.empty() || s == "?" || s == "NA"; }

// The whole of `s` as a number (a leading '+' allowed), or false.
bool parse_number(std::string_view s, float& value) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, value);
  return ec == std::errc() && ptr == end;
}

// Which columns are labels, by the first rule ReadOptions gives (see csv_reader.hpp).
struct LabelChoice {
  std::vector<std::size_t> columns;  // label order
  std::string rule;                  // for the Dataset note
};

LabelChoice choose_labels(const std::vector<std::string>& names, const LabelDeclaration& decl,
                          const std::string& file, std::size_t header_line) {
  LabelChoice choice;
  const auto n = static_cast<long>(names.size());
  if (!decl.columns.empty()) {
    for (const std::string& want : decl.columns) {
      const auto it = std::find(names.begin(), names.end(), want);
      if (it == names.end())
        throw Error(file, header_line, fmt::format("expected a label column named '{}', found no such column in the header", want));
      const auto col = static_cast<std::size_t>(it - names.begin());
      if (std::find(choice.columns.begin(), choice.columns.end(), col) != choice.columns.end())
        throw Error(file, header_line, fmt::format("expected each label column once, found '{}' twice in the label list", want));
      choice.columns.push_back(col);
    }
    choice.rule = "named label columns";
  } else if (!decl.prefix.empty()) {
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j].rfind(decl.prefix, 0) == 0) choice.columns.push_back(j);
    if (choice.columns.empty())
      throw Error(file, header_line, fmt::format("expected label columns whose names start with '{}', found none", decl.prefix));
    choice.rule = fmt::format("label columns by the prefix '{}'", decl.prefix);
  } else if (decl.count) {
    const long c = *decl.count;
    if (c == 0 || std::labs(c) > n)
      throw Error(file, header_line, fmt::format("expected a label count n with 1 <= |n| <= {} (the columns), found {}", n, c));
    const long first = c > 0 ? 0 : n + c;
    for (long j = first; j < first + std::labs(c); ++j) choice.columns.push_back(static_cast<std::size_t>(j));
    choice.rule = fmt::format("the {} {} columns are labels (MEKA's sign convention, n = {})",
                              c > 0 ? "first" : "last", std::labs(c), c);
  } else {
    throw Error(file, 0, "CSV needs label columns: --label-columns, --label-prefix or --labels n");
  }
  return choice;
}

// Reads the rows after the header into dense row-major arrays.
class CsvRows {
 public:
  CsvRows(CsvRecords& in, const std::vector<std::string>& names, const LabelChoice& choice,
          MissingPolicy missing)
      : in_(in), names_(names), missing_(missing), label_of_(names.size(), -1) {
    for (std::size_t k = 0; k < choice.columns.size(); ++k)
      label_of_[choice.columns[k]] = static_cast<long>(k);
    num_labels_ = choice.columns.size();
  }

  void read() {
    while (in_.next()) {
      if (in_.size() != names_.size())
        fail(fmt::format("expected {} fields as in the header, found {}", names_.size(), in_.size()));
      const std::size_t label_base = labels.size();
      labels.resize(label_base + num_labels_);
      for (std::size_t j = 0; j < names_.size(); ++j) {
        const std::string_view value = trim(in_.field(j));
        if (label_of_[j] >= 0) labels[label_base + static_cast<std::size_t>(label_of_[j])] = label(value, j);
        else features.push_back(feature(value, j));
      }
      ++rows;
    }
  }

  std::vector<float> features;
  std::vector<std::uint8_t> labels;
  std::size_t rows = 0;
  std::size_t missing_count = 0;

 private:
  [[noreturn]] void fail(const std::string& message) const { throw Error(in_.file(), in_.line(), message); }

  std::uint8_t label(std::string_view s, std::size_t col) const {
    float v = 0;
    if (s == "0" || s == "1") return s == "1";
    if (!parse_number(s, v) || (v != 0.0f && v != 1.0f))
      fail(fmt::format("expected 0 or 1 in label column '{}', found '{}'", names_[col], s));
    return v == 1.0f;
  }

  float feature(std::string_view s, std::size_t col) {
    float v = 0;
    if (parse_number(s, v)) return v;
    if (!is_missing(s))
      fail(fmt::format("expected a number in column '{}', found '{}'", names_[col], s));
    if (missing_ == MissingPolicy::Error)
      fail(fmt::format("expected a number in column '{}', found the missing value '{}' "
                       "(missing values are errors unless mean imputation is asked for)",
                       names_[col], s));
    ++missing_count;
    return NAN;
  }

  CsvRecords& in_;
  const std::vector<std::string>& names_;
  MissingPolicy missing_;
  std::vector<long> label_of_;  // column -> label position, -1 for a feature
  std::size_t num_labels_ = 0;
};

std::vector<std::string> read_header(CsvRecords& in) {
  if (!in.next())
    throw Error(in.file(), 1, in.empty_file() ? "expected a header row, found an empty file"
                                              : "expected a header row, found only blank lines");
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t j = 0; j < in.size(); ++j) {
    names.emplace_back(trim(in.field(j)));
    if (!seen.emplace(names.back(), j).second)
      throw Error(in.file(), in.line(), fmt::format("expected unique column names, found '{}' in columns {} and {}",
                                                    names.back(), seen[names.back()] + 1, j + 1));
  }
  return names;
}

}  // namespace

Dataset read_csv(const fs::path& path, const ReadOptions& options) {
  CsvRecords in(path);
  const std::vector<std::string> names = read_header(in);
  const std::size_t header_line = in.line();
  const LabelChoice choice = choose_labels(names, options.labels, in.file(), header_line);
  CsvRows rows(in, names, choice, options.missing);
  rows.read();
  if (rows.rows == 0)
    throw Error(in.file(), header_line, "expected data rows after the header, found none");

  Dataset out;
  out.name = path.stem().string();
  out.sources = {in.file()};
  for (std::size_t j = 0; j < names.size(); ++j)
    if (std::find(choice.columns.begin(), choice.columns.end(), j) == choice.columns.end())
      out.feature_names.push_back(names[j]);
  for (std::size_t j : choice.columns) out.label_names.push_back(names[j]);
  const auto n = static_cast<Index>(rows.rows);
  const auto d = static_cast<Index>(out.feature_names.size());
  const auto l = static_cast<Index>(out.label_names.size());
  out.dense = Eigen::Map<const DenseFeatures>(rows.features.data(), n, d);
  out.labels = Eigen::Map<const LabelMatrix>(rows.labels.data(), n, l);
  out.notes.push_back(choice.rule);
  if (rows.missing_count > 0)
    out.notes.push_back(fmt::format(
        "{} missing feature values left as NaN{}", rows.missing_count,
        options.missing == MissingPolicy::ImputeMean ? " for mean imputation" : ""));
  return out;
}

}  // namespace lg
