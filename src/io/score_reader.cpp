// Score and truth matrices (format rules in the header): a .npy reader, a chunked multi-threaded
// reader for numeric text matrices, and dispatch to the data set readers for truth.
#include "io/score_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "io/line_pieces.hpp"
#include "io/catalog.hpp"
#include "io/read_dataset.hpp"

namespace lg {
namespace fs = std::filesystem;

const char* to_string(MatrixFileKind kind) {
  switch (kind) {
    case MatrixFileKind::Npy: return "npy";
    case MatrixFileKind::Csv: return "csv";
    case MatrixFileKind::Whitespace: return "whitespace";
    case MatrixFileKind::Dataset: return "data set";
  }
  return "?";
}

namespace {

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

File open_file(const std::string& name) {
  File f(std::fopen(name.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(name, 0, fmt::format("cannot open the file: {}", std::strerror(errno)));
  return f;
}

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// Long input in messages is cut so the error stays one readable line.
std::string clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 37)) + "...";
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// ---------------------------------------------------------------------------------------------
// Cell values: scores are finite doubles (never narrowed to float: distinct float64 scores
// must stay distinct), truth values 0 / 1.

/// A number token as a double (correctly rounded); false if the token is not entirely a
/// number. Out-of-range values go to strtod (underflow -> 0, overflow -> inf, which the caller
/// refuses).
bool parse_number(std::string_view s, double& out) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ptr != end) return false;
  if (ec == std::errc::result_out_of_range) {
    out = std::strtod(std::string(s).c_str(), nullptr);
    return true;
  }
  return ec == std::errc();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// A truth token: 0 / 1 in any numeric spelling, or true / false. -1: a number that is not
/// 0 / 1; -2: not a number at all.
int parse_truth(std::string_view s) {
  if (s.size() == 1 && (s[0] == '0' || s[0] == '1')) return s[0] - '0';  // the usual case
  if (iequals(s, "true")) return 1;
  if (iequals(s, "false")) return 0;
  double v = 0.0;
  if (!parse_number(s, v)) return -2;
  if (v == 0.0) return 0;
  if (v == 1.0) return 1;
  return -1;
}

/// Clinger's fast path for the usual short decimals (0.123456, -1.5e-3, 0.1674775928258896):
/// when the digits make an integer m <= 2^53 and the value is m * 10^e with |e| <= 22, m and
/// 10^|e| are exact doubles, so one multiply or divide rounds correctly: the double
/// std::from_chars gives, several times faster. Returns the end of the number, or nullptr to
/// leave the token to from_chars (more than 19 digits, m > 2^53, a larger exponent).
/// (src/io/arff_reader.cpp has a float SWAR variant of this; both belong in one shared parser.)
const char* parse_short_double(const char* p, const char* end, double& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  std::uint64_t m = 0;
  int digits = 0, e = 0;
  for (; p < end && static_cast<unsigned>(*p - '0') < 10; ++p, ++digits) m = 10 * m + static_cast<unsigned>(*p - '0');
  if (p < end && *p == '.') {
    const char* fraction = ++p;
    for (; p < end && static_cast<unsigned>(*p - '0') < 10; ++p, ++digits) m = 10 * m + static_cast<unsigned>(*p - '0');
    e = -static_cast<int>(p - fraction);
  }
  if (digits == 0 || digits > 19) return nullptr;  // no digits, or m may not fit 64 bits
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char* q = p + 1;
    const bool minus = q < end && *q == '-';
    if (q < end && (*q == '-' || *q == '+')) ++q;
    const char* first = q;
    int x = 0;
    for (; q < end && static_cast<unsigned>(*q - '0') < 10 && q - first < 3; ++q) x = 10 * x + (*q - '0');
    if (q == first || (q < end && static_cast<unsigned>(*q - '0') < 10)) return nullptr;
    e += minus ? -x : x;
    p = q;
  }
  double v = 0.0;
  if (m != 0) {
    if (m > (std::uint64_t{1} << 53) || e < -22 || e > 22) return nullptr;
    v = static_cast<double>(m);
    v = e < 0 ? v / kPow10[-e] : v * kPow10[e];
  }
  out = negative ? -v : v;
  return p;
}

/// How one matrix kind turns a token into a stored value.
struct ScoreCells {
  using Value = double;
  static bool is_number(std::string_view s) {
    double v;
    return parse_number(s, v);
  }
  /// The number at p, if it is an ordinary finite one: its end, else nullptr (the slow path
  /// then says what is wrong).
  static const char* fast(const char* p, const char* end, double& out) {
    if (const char* q = parse_short_double(p, end, out)) return q;
    const auto [q, ec] = std::from_chars(p, end, out);
    return ec == std::errc() && q != p && std::isfinite(out) ? q : nullptr;
  }
  /// The value of a token, or an error message (column is 1-based).
  static std::optional<std::string> parse(std::string_view s, std::size_t column, double& out) {
    if (!parse_number(s, out))
      return fmt::format("column {}: expected a number, found '{}'", column, clip(s));
    if (std::isnan(out))
      return fmt::format("column {}: NaN score (scores must be finite numbers)", column);
    if (std::isinf(out))
      return fmt::format("column {}: infinite score '{}' (scores must be finite numbers, |x| < "
                         "1.8e308)", column, clip(s));
    return std::nullopt;
  }
};

struct TruthCells {
  using Value = std::uint8_t;
  static bool is_number(std::string_view s) { return parse_truth(s) != -2; }
  static const char* fast(const char* p, const char* end, std::uint8_t& out) {
    const char* q = p;
    while (q < end && *q != ',' && !is_blank(*q)) ++q;
    if (q == p + 1 && (*p == '0' || *p == '1')) {  // the usual case
      out = static_cast<std::uint8_t>(*p - '0');
      return q;
    }
    const int v = parse_truth(std::string_view(p, static_cast<std::size_t>(q - p)));
    if (v < 0) return nullptr;
    out = static_cast<std::uint8_t>(v);
    return q;
  }
  static std::optional<std::string> parse(std::string_view s, std::size_t column, std::uint8_t& out) {
    const int v = parse_truth(s);
    if (v == -2) return fmt::format("column {}: expected 0 or 1, found '{}'", column, clip(s));
    if (v == -1)
      return fmt::format("column {}: truth values must be 0 or 1, found '{}'", column, clip(s));
    out = static_cast<std::uint8_t>(v);
    return std::nullopt;
  }
};

// ---------------------------------------------------------------------------------------------
// Text matrices.

/// Splits one line (no newline, '\r' allowed at the end) into fields.
class FieldSplitter {
 public:
  FieldSplitter(const char* begin, const char* end, bool comma) : p_(begin), end_(end), comma_(comma) {
    while (end_ > p_ && is_blank(end_[-1])) --end_;
    if (!comma_) skip_blanks();
  }
  /// The next field, trimmed; false when the line is done.
  bool next(std::string_view& field) {
    if (done_) return false;
    if (comma_) {
      while (p_ < end_ && is_blank(*p_)) ++p_;
      const char* start = p_;
      while (p_ < end_ && *p_ != ',') ++p_;  // fields are short: a plain loop beats memchr
      const char* stop = p_;
      done_ = p_ == end_;
      if (!done_) ++p_;
      const char* last = stop;
      while (last > start && is_blank(last[-1])) --last;
      field = std::string_view(start, static_cast<std::size_t>(last - start));
      return true;
    }
    if (p_ == end_) return false;
    const char* start = p_;
    while (p_ < end_ && !is_blank(*p_)) ++p_;
    field = std::string_view(start, static_cast<std::size_t>(p_ - start));
    skip_blanks();
    return true;
  }

 private:
  void skip_blanks() {
    while (p_ < end_ && is_blank(*p_)) ++p_;
  }
  const char* p_;
  const char* end_;
  bool comma_;
  bool done_ = false;
};

/// Blank lines and '#' comment lines (numpy.savetxt's header) carry no data.
bool is_skipped_line(const char* begin, const char* end) {
  while (begin < end && is_blank(*begin)) ++begin;
  return begin == end || *begin == '#';
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      out += s[i];
      if (s[i] == '"' && s[i + 1] == '"') ++i;  // RFC 4180: "" inside quotes is one quote
    }
    return out;
  }
  return std::string(s);
}

/// An error inside a piece, at a line counted from the piece's start.
struct PieceFailure {
  std::size_t line = 0;  ///< 1-based within the piece; 0 = none
  std::string message;
};

template <class Cells>
class TextMatrixReader {
  using Value = typename Cells::Value;

 public:
  TextMatrixReader(const fs::path& path, bool comma, const MatrixReadTuning& tuning)
      : path_(path), file_(path.string()), comma_(comma), tuning_(tuning) {
    const auto cores = static_cast<unsigned>(resolve_threads(static_cast<int>(tuning.threads)));
    threads_ = std::clamp(cores, 1u, 64u);
  }

  using Matrix = Eigen::Matrix<Value, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// Reads the file; `names` gets the header's names (empty without a header).
  Matrix read(std::vector<std::string>& names) {
    File f = open_file(file_);
    std::error_code ec;
    file_bytes_ = fs::file_size(path_, ec);
    if (ec) file_bytes_ = 0;
    stream(f.get());
    if (columns_ == 0)
      throw Error(file_, 0, "expected rows of numbers, found none (the file is empty or holds "
                            "only blank and # lines)");
    const Index cols = static_cast<Index>(columns_ - skip_first_);
    if (rows_ == 0)
      throw Error(file_, header_line_, "expected rows of numbers after the header, found none");
    // Shrinking the row count of a row-major matrix is a realloc, not a copy.
    storage_.conservativeResize(rows_, static_cast<Index>(columns_));
    Matrix out;
    if (!skip_first_) {
      out.swap(storage_);
    } else {
      out = storage_.rightCols(cols);  // pandas' index column: parsed as a placeholder, dropped
      storage_.resize(0, 0);
    }
    names = std::move(names_);
    return out;
  }

 private:
  void stream(std::FILE* f) {
    std::vector<char> buf(read_buffer_bytes(tuning_.chunk_bytes, file_bytes_, 64));
    std::size_t have = 0;
    bool first = true;
    for (bool eof = false; !eof;) {
      if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
      const std::size_t want = buf.size() - have;
      const std::size_t got = std::fread(buf.data() + have, 1, want, f);
      if (std::ferror(f))
        throw Error(file_, 0, fmt::format("cannot read the file: {}", std::strerror(errno)));
      have += got;
      eof = got < want;
      if (first) {  // the first read has at least 64 bytes, or the whole file
        first = false;
        if (have >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) {
          std::memmove(buf.data(), buf.data() + 3, have - 3);  // UTF-8 byte-order mark
          have -= 3;
        }
      }
      // Parse up to the last newline; the rest waits for the next read.
      std::size_t done = have;
      if (!eof)
        while (done > 0 && buf[done - 1] != '\n') --done;
      if (done > 0) parse_chunk(buf.data(), buf.data() + done);
      std::memmove(buf.data(), buf.data() + done, have - done);
      have -= done;
    }
  }

  // Before the first data row: skip blank and comment lines, read the header if there is one,
  // and learn the number of columns.
  void take_header(const char*& begin, const char* end) {
    while (begin < end && columns_ == 0) {
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
      const char* line_end = nl ? nl : end;
      if (!is_skipped_line(begin, line_end)) {
        std::vector<std::string_view> fields;
        FieldSplitter split(begin, line_end, comma_);
        for (std::string_view field; split.next(field);) fields.push_back(field);
        const bool numbers = std::all_of(fields.begin(), fields.end(), Cells::is_number);
        columns_ = fields.size();
        model_line_ = lines_ + 1;
        if (numbers) return;  // the first data row: left to the parser
        header_line_ = lines_ + 1;
        for (std::string_view field : fields) names_.push_back(unquote(field));
        if (comma_ && names_.size() > 1 && names_.front().empty()) {
          skip_first_ = 1;  // pandas' index column
          names_.erase(names_.begin());
        }
        for (std::size_t i = 0; i < names_.size(); ++i)
          if (names_[i].empty())
            throw Error(file_, header_line_,
                        fmt::format("header: column {} has an empty name (a header names every "
                                    "column; only pandas' index column, the first, may be unnamed)",
                                    i + 1 + skip_first_));
      }
      ++lines_;
      begin = nl ? nl + 1 : end;
    }
  }

  // One ordinary data line (numbers and separators only) appended to `out`; false, with `out`
  // as before, on anything else.
  bool parse_line_fast(const char* p, const char* end, std::vector<Value>& out) const {
    const std::size_t row_start = out.size();
    while (end > p && is_blank(end[-1])) --end;
    while (p < end && is_blank(*p)) ++p;
    for (std::size_t n = 0; n < columns_; ++n) {
      Value v{};
      if (n < skip_first_) {  // pandas' index: any text
        while (p < end && *p != ',') ++p;
      } else if (p == end || !(p = Cells::fast(p, end, v))) {
        out.resize(row_start);
        return false;
      }
      out.push_back(v);
      while (p < end && is_blank(*p)) ++p;
      if (n + 1 == columns_) break;
      if (comma_) {
        if (p == end || *p != ',') break;
        ++p;
        while (p < end && is_blank(*p)) ++p;
      }
    }
    if (p == end && out.size() - row_start == columns_) return true;
    out.resize(row_start);
    return false;
  }

  // Parses the complete lines of [begin, end) into `out`; stops at the first bad line.
  std::size_t parse_piece(const char* begin, const char* end, std::vector<Value>& out,
                          PieceFailure& failure) const {
    out.clear();
    out.reserve(static_cast<std::size_t>(end - begin) / 2 + columns_);
    std::size_t lines = 0;
    while (begin < end) {
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
      const char* line_end = nl ? nl : end;
      ++lines;
      if (!is_skipped_line(begin, line_end) && !parse_line_fast(begin, line_end, out)) {
        // Something unusual: read the line again field by field to say what.
        FieldSplitter split(begin, line_end, comma_);
        std::size_t n = 0;
        for (std::string_view field; split.next(field); ++n) {
          if (n >= columns_) continue;  // too many: counted for the message
          Value v{};
          if (n >= skip_first_) {  // (pandas' index, the first column, may hold any text)
            if (field.empty()) {
              failure = {lines, fmt::format("column {}: expected a number, found an empty field", n + 1)};
              return lines;
            }
            if (auto message = Cells::parse(field, n + 1, v)) {
              failure = {lines, std::move(*message)};
              return lines;
            }
          }
          out.push_back(v);
        }
        if (n != columns_) {
          failure = {lines, fmt::format("expected {} {} per row ({} {}), found {}", columns_,
                                        comma_ ? "comma-separated fields" : "fields",
                                        header_line_ ? "as the header on line" : "as on line",
                                        model_line_, n)};
          return lines;
        }
      }
      begin = nl ? nl + 1 : end;
    }
    return lines;
  }

  // Cuts the chunk at newlines into pieces, parses them on the threads, appends in file order.
  void parse_chunk(const char* begin, const char* end) {
    if (columns_ == 0) take_header(begin, end);
    if (begin == end) return;
    const std::size_t bytes = static_cast<std::size_t>(end - begin);
    const std::size_t by_size = bytes / std::max<std::size_t>(tuning_.min_bytes_per_thread, 1);
    const std::size_t k = std::max<std::size_t>(1, std::min<std::size_t>(threads_, by_size));
    const std::vector<const char*> cut = cut_at_lines(begin, end, k);
    if (pieces_.size() < k) pieces_.resize(k);
    std::vector<PieceFailure> failures(k);
    std::vector<std::size_t> lines(k, 0);
    run_parallel(k, [&](std::size_t i) { lines[i] = parse_piece(cut[i], cut[i + 1], pieces_[i], failures[i]); });
    // The first failure in file order wins; the pieces before it have complete line counts.
    std::vector<Index> first_row(k + 1, rows_);
    for (std::size_t i = 0; i < k; ++i) {
      if (failures[i].line) throw Error(file_, lines_ + failures[i].line, failures[i].message);
      lines_ += lines[i];
      first_row[i + 1] = first_row[i] + static_cast<Index>(pieces_[i].size() / columns_);
    }
    parsed_bytes_ += bytes;
    const Index rows = first_row[k];
    if (rows > storage_.rows()) {
      // Guess the whole file from what was read so far, to grow once or twice; growing a
      // row-major matrix by rows is a realloc (mremap for large blocks), not a copy.
      const double rows_per_byte = static_cast<double>(rows) / static_cast<double>(parsed_bytes_);
      const auto guess = static_cast<Index>(rows_per_byte * static_cast<double>(file_bytes_) * 1.02) + 16;
      storage_.conservativeResize(std::max({rows, guess, 2 * storage_.rows()}), static_cast<Index>(columns_));
      advise_huge_pages(storage_.data(), static_cast<std::size_t>(storage_.size()) * sizeof(Value));
    }
    // The threads copy their own pieces, so fresh memory is faulted in on every core.
    run_parallel(k, [&](std::size_t i) {
      // (An empty piece may start one past the last row: no row to take the address of.)
      if (!pieces_[i].empty())
        std::copy(pieces_[i].begin(), pieces_[i].end(), storage_.row(first_row[i]).data());
    });
    rows_ = rows;
  }

  // Runs job(i) for i < count, one thread each (this one included): core/parallel.hpp.
  template <class Job>
  static void run_parallel(std::size_t count, const Job& job) {
    parallel_parts(static_cast<int>(count), [&](int i) { job(static_cast<std::size_t>(i)); });
  }

  fs::path path_;
  std::string file_;
  bool comma_;
  MatrixReadTuning tuning_;
  unsigned threads_ = 1;
  std::uintmax_t file_bytes_ = 0;
  std::size_t parsed_bytes_ = 0;
  std::size_t lines_ = 0;        ///< lines consumed so far
  std::size_t columns_ = 0;      ///< fields per row, pandas' index included; 0 = not known yet
  std::size_t skip_first_ = 0;   ///< 1: the first column is pandas' index
  std::size_t header_line_ = 0;  ///< 0 = no header
  std::size_t model_line_ = 0;   ///< the line that set the number of columns (header or row)
  std::vector<std::string> names_;
  std::vector<std::vector<Value>> pieces_;  ///< per piece of a chunk, reused
  Matrix storage_;               ///< the rows read so far, and room for more
  Index rows_ = 0;               ///< rows of storage_ in use
};

// ---------------------------------------------------------------------------------------------
// .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)

struct NpyHeader {
  char type = 'f';           ///< f (float), i (signed), u (unsigned), b (bool)
  std::size_t itemsize = 4;  ///< bytes per element
  bool fortran = false;      ///< column-major data
  Index rows = 0, cols = 0;
  std::size_t data_offset = 0;  ///< bytes before the data
};

/// A tiny reader of the Python dict literal in the header: {'descr': '<f4', 'fortran_order':
/// False, 'shape': (3, 4), }.
class NpyDictParser {
 public:
  NpyDictParser(std::string_view text, const std::string& file) : s_(text), file_(file) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    for (;;) {
      skip();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip();
      if (key == "descr") {
        if (peek() == '[')
          fail("structured dtypes (a list in 'descr') are not supported: save a plain numeric "
               "array");
        descr(string_literal(), h);
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran = boolean();
        have_order = true;
      } else if (key == "shape") {
        shape(h);
        have_shape = true;
      } else {
        fail(fmt::format("unexpected key '{}' (expected descr, fortran_order, shape)", clip(key)));
      }
      skip();
      if (peek() == ',') ++pos_;
    }
    if (!have_descr || !have_order || !have_shape)
      fail("the header dict lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(file_, 0, "npy header: " + message);
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void expect(char c) {
    skip();
    if (peek() != c) fail(fmt::format("expected '{}' at offset {} of the header dict", c, pos_));
    ++pos_;
  }
  std::string string_literal() {
    skip();
    const char q = peek();
    if (q != '\'' && q != '"') fail(fmt::format("expected a quoted string at offset {}", pos_));
    const std::size_t close = s_.find(q, ++pos_);
    if (close == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(pos_, close - pos_));
    pos_ = close + 1;
    return out;
  }
  bool boolean() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("'fortran_order' must be True or False");
  }
  void shape(NpyHeader& h) {
    expect('(');
    std::vector<Index> dims;
    for (;;) {
      skip();
      if (peek() == ')') break;
      Index v = 0;
      const auto [ptr, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
      if (ec != std::errc() || v < 0) fail("'shape' must be a tuple of non-negative integers");
      pos_ = static_cast<std::size_t>(ptr - s_.data());
      skip();
      if (peek() == 'L') ++pos_;  // Python 2 longs
      dims.push_back(v);
      skip();
      if (peek() == ',') ++pos_;
    }
    ++pos_;
    if (dims.size() == 2) {
      h.rows = dims[0];
      h.cols = dims[1];
    } else if (dims.size() == 1) {
      h.rows = dims[0];  // a vector: one column
      h.cols = 1;
    } else {
      fail(fmt::format("expected a 2-D array (rows x labels) or a 1-D array, found {} "
                       "dimensions", dims.size()));
    }
  }
  void descr(const std::string& d, NpyHeader& h) {
    const std::string accepted = "<f4 <f8 |i1 |u1 |b1 <i2 <i4 <i8 <u2 <u4 <u8";
    if (d.size() < 3) fail(fmt::format("unsupported dtype '{}' (accepted: {})", d, accepted));
    const char order = d[0], type = d[1];
    std::size_t size = 0;
    const auto [ptr, ec] = std::from_chars(d.data() + 2, d.data() + d.size(), size);
    if (ec != std::errc() || ptr != d.data() + d.size())
      fail(fmt::format("unsupported dtype '{}' (accepted: {})", d, accepted));
    const bool floating = type == 'f' && (size == 4 || size == 8);
    const bool integer = (type == 'i' || type == 'u') && (size == 1 || size == 2 || size == 4 || size == 8);
    const bool boolean = type == 'b' && size == 1;
    if (!floating && !integer && !boolean)
      fail(fmt::format("unsupported dtype '{}' (accepted: {})", d, accepted));
    if (order == '>' && size > 1)
      fail(fmt::format("big-endian dtype '{}' is not supported: re-save with "
                       "a.astype(a.dtype.newbyteorder('<'))", d));
    if (order != '<' && order != '|' && order != '=' && order != '>')
      fail(fmt::format("unsupported dtype '{}' (accepted: {})", d, accepted));
    h.type = type;
    h.itemsize = size;
  }

  std::string_view s_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

NpyHeader read_npy_header(std::FILE* f, const std::string& file) {
  unsigned char pre[10];
  const std::size_t got = std::fread(pre, 1, 8, f);
  if (got < 8 || std::memcmp(pre, "\x93NUMPY", 6) != 0)
    throw Error(file, 0, "npy header: not a NumPy .npy file (the magic string \\x93NUMPY is missing)");
  const int major = pre[6];
  std::size_t len = 0, prefix = 0;
  if (major == 1) {
    if (std::fread(pre + 8, 1, 2, f) != 2) throw Error(file, 0, "npy header: truncated");
    len = pre[8] | (std::size_t{pre[9]} << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (std::fread(b, 1, 4, f) != 4) throw Error(file, 0, "npy header: truncated");
    len = b[0] | (std::size_t{b[1]} << 8) | (std::size_t{b[2]} << 16) | (std::size_t{b[3]} << 24);
    prefix = 12;
  } else {
    throw Error(file, 0, fmt::format("npy header: format version {}.{} is not supported (1.0, "
                                     "2.0, 3.0 are)", major, static_cast<int>(pre[7])));
  }
  if (len > (std::size_t{1} << 24)) throw Error(file, 0, "npy header: implausibly long header");
  std::string text(len, '\0');
  if (std::fread(text.data(), 1, len, f) != len)
    throw Error(file, 0, fmt::format("npy header: truncated (the header announces {} bytes)", len));
  NpyHeader h = NpyDictParser(text, file).parse();
  h.data_offset = prefix + len;
  return h;
}

/// One element of the raw data as double (every accepted dtype converts exactly, except
/// 64-bit integers beyond 2^53, which no score or label file holds).
double npy_element(const unsigned char* p, const NpyHeader& h) {
  switch (h.type) {
    case 'f':
      if (h.itemsize == 4) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      } else {
        double v;
        std::memcpy(&v, p, 8);
        return v;
      }
    case 'b': return p[0];
    case 'u':
      switch (h.itemsize) {
        case 1: return p[0];
        case 2: { std::uint16_t v; std::memcpy(&v, p, 2); return v; }
        case 4: { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
        default: { std::uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
      }
    default:
      switch (h.itemsize) {
        case 1: { std::int8_t v; std::memcpy(&v, p, 1); return v; }
        case 2: { std::int16_t v; std::memcpy(&v, p, 2); return v; }
        case 4: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
        default: { std::int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
      }
  }
}

/// Reads an .npy into a row-major matrix; `convert(value, row, col)` gives the stored value
/// (and throws on a bad one). `header`, when given, receives the file's header.
template <class Value, class Convert>
Eigen::Matrix<Value, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> read_npy(
    const fs::path& path, const Convert& convert, NpyHeader* header = nullptr) {
  const std::string file = path.string();
  File f = open_file(file);
  const NpyHeader h = read_npy_header(f.get(), file);
  if (header) *header = h;
  if (h.rows == 0 || h.cols == 0)
    throw Error(file, 0, fmt::format("npy header: the array is empty (shape {} x {})", h.rows, h.cols));
  // rows * cols * itemsize must not wrap around: a wrapped product could match the file size.
  constexpr auto kMaxBytes = static_cast<std::size_t>(std::numeric_limits<Index>::max());
  if (static_cast<std::size_t>(h.rows) > kMaxBytes / h.itemsize / static_cast<std::size_t>(h.cols))
    throw Error(file, 0, fmt::format("npy header: shape {} x {} of {}-byte elements is larger than "
                                     "any file (corrupt header)", h.rows, h.cols, h.itemsize));
  const auto count = static_cast<std::size_t>(h.rows) * static_cast<std::size_t>(h.cols);
  const std::size_t bytes = count * h.itemsize;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size != h.data_offset + bytes) {
    const std::uintmax_t have = size > h.data_offset ? size - h.data_offset : 0;
    throw Error(file, 0, fmt::format("npy data: the header promises {} x {} elements of {} bytes "
                                     "({} bytes), the file holds {} bytes of data{}",
                                     h.rows, h.cols, h.itemsize, bytes, have,
                                     have < bytes ? " (truncated)" : ""));
  }
  Eigen::Matrix<Value, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> out(h.rows, h.cols);
  advise_huge_pages(out.data(), count * sizeof(Value));
  const auto read = [&](void* to, std::size_t n) {
    if (std::fread(to, h.itemsize, n, f.get()) != n)
      throw Error(file, 0, "npy data: cannot read the data (truncated, or a read error)");
  };
  if (!h.fortran && h.itemsize == sizeof(Value) && (h.type == 'f') == std::is_floating_point_v<Value>) {
    // The file holds the matrix as it is stored: read it in place, then check every value.
    read(out.data(), count);
    const auto* raw = reinterpret_cast<const unsigned char*>(out.data());
    Index r = 0, c = 0;
    for (std::size_t k = 0; k < count; ++k) {
      out.data()[k] = convert(npy_element(raw + k * h.itemsize, h), r, c);
      if (++c == h.cols) c = 0, ++r;
    }
    return out;
  }
  // Convert block by block, so that a large file needs no second buffer of its size.
  const std::size_t per_block = std::max<std::size_t>(1, (std::size_t{8} << 20) / h.itemsize);
  std::vector<unsigned char> buf(std::min(count, per_block) * h.itemsize);
  Index r = 0, c = 0;  // where the next element of the file goes
  for (std::size_t done = 0; done < count;) {
    const std::size_t n = std::min(per_block, count - done);
    read(buf.data(), n);
    for (std::size_t k = 0; k < n; ++k) {
      out(r, c) = convert(npy_element(buf.data() + k * h.itemsize, h), r, c);
      if (h.fortran) {  // column after column
        if (++r == h.rows) r = 0, ++c;
      } else if (++c == h.cols) {
        c = 0, ++r;
      }
    }
    done += n;
  }
  return out;
}

/// Scores of any accepted dtype as doubles (exact for float32, float64 and integers up to
/// 2^53); `float32` says whether the file's dtype is float32.
/// Scores of any accepted dtype as `Value` (double: exact for float32, float64 and integers
/// up to 2^53; float: only for a float32 file, exact).
template <class Value>
Eigen::Matrix<Value, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> read_npy_scores(
    const fs::path& path) {
  const std::string file = path.string();
  return read_npy<Value>(path, [&](double v, Index r, Index c) {
    if (!std::isfinite(v))
      throw Error(file, 0, fmt::format("npy data: row {}, column {}: {} score (scores must be "
                                       "finite numbers)", r + 1, c + 1,
                                       std::isnan(v) ? "NaN" : "infinite"));
    return static_cast<Value>(v);
  });
}

/// Whether an .npy file's dtype is float32 (its header only is read).
bool npy_is_float32(const fs::path& path) {
  const std::string file = path.string();
  File f = open_file(file);
  const NpyHeader h = read_npy_header(f.get(), file);
  return h.type == 'f' && h.itemsize == 4;
}

LabelMatrix read_npy_truth(const fs::path& path) {
  const std::string file = path.string();
  return read_npy<std::uint8_t>(path, [&](double v, Index r, Index c) {
    if (v != 0.0 && v != 1.0)
      throw Error(file, 0, fmt::format("npy data: row {}, column {}: truth values must be 0 or "
                                       "1, found {}", r + 1, c + 1, v));
    return static_cast<std::uint8_t>(v);
  });
}

// ---------------------------------------------------------------------------------------------
// Telling a LIBSVM .txt from a whitespace matrix.

bool is_integer_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// `index:value` (or `qid:n`), or comma-separated integers (a label list).
bool is_libsvm_token(std::string_view t, bool first) {
  const std::size_t colon = t.find(':');
  if (colon != std::string_view::npos)
    return colon + 1 < t.size() && (is_integer_token(t.substr(0, colon)) || t.substr(0, colon) == "qid");
  if (!first || t.find(',') == std::string_view::npos) return false;
  std::size_t start = 0;
  for (std::size_t comma; (comma = t.find(',', start)) != std::string_view::npos; start = comma + 1)
    if (!is_integer_token(t.substr(start, comma - start))) return false;
  return is_integer_token(t.substr(start));
}

bool looks_like_libsvm(const fs::path& path) {
  File f(std::fopen(path.string().c_str(), "rb"), &std::fclose);
  if (!f) return false;  // the reader that follows reports it
  std::string head(64 << 10, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), f.get()));
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t nl = head.find('\n', pos);
    if (nl == std::string::npos) nl = head.size();
    const char* b = head.data() + pos;
    const char* e = head.data() + nl;
    if (!is_skipped_line(b, e)) {
      FieldSplitter split(b, e, false);
      bool first = *b != ' ' && *b != '\t';  // a row without labels starts with a blank
      for (std::string_view t; split.next(t); first = false)
        if (is_libsvm_token(t, first)) return true;
    }
    pos = nl + 1;
  }
  return false;
}

}  // namespace

MatrixFileKind detect_matrix_file(const std::string& input, bool csv_is_dataset) {
  const fs::path path(input);
  std::error_code ec;
  const bool is_file = fs::exists(path, ec) && !fs::is_directory(path, ec);
  if (!is_file && !path.has_extension() && find_descriptor(input)) return MatrixFileKind::Dataset;
  const std::string ext = lower_extension(path);
  if (ext == ".npy") return MatrixFileKind::Npy;
  if (ext == ".arff" || ext == ".svm" || ext == ".libsvm" || ext == ".svmlight" || ext == ".xc")
    return MatrixFileKind::Dataset;
  if (ext == ".csv") return csv_is_dataset ? MatrixFileKind::Dataset : MatrixFileKind::Csv;
  if (ext == ".txt" && is_file && looks_like_libsvm(path)) return MatrixFileKind::Dataset;
  return MatrixFileKind::Whitespace;
}

ScoreFile read_score_matrix(const fs::path& path, const MatrixReadTuning& tuning,
                            bool keep_float32) {
  ScoreFile out;
  out.kind = detect_matrix_file(path.string());
  switch (out.kind) {
    case MatrixFileKind::Npy:
      out.float32 = npy_is_float32(path);
      if (out.float32 && keep_float32)
        out.scores_float32 = read_npy_scores<float>(path);  // read in place, no widening
      else
        out.scores = read_npy_scores<double>(path);
      break;
    case MatrixFileKind::Csv:
    case MatrixFileKind::Whitespace:
      out.scores = TextMatrixReader<ScoreCells>(path, out.kind == MatrixFileKind::Csv, tuning).read(out.names);
      break;
    case MatrixFileKind::Dataset:
      throw Error(path.string(), 0,
                  "scores must be a matrix (.npy, .csv or whitespace-separated text), not a data "
                  "set file");
  }
  return out;
}

TruthFile read_truth_matrix(const std::string& input, const ReadOptions& options,
                            const MatrixReadTuning& tuning) {
  TruthFile out;
  const bool csv_dataset = !options.labels.columns.empty() || !options.labels.prefix.empty();
  out.kind = detect_matrix_file(input, csv_dataset);
  switch (out.kind) {
    case MatrixFileKind::Npy: out.labels = read_npy_truth(input); break;
    case MatrixFileKind::Csv:
    case MatrixFileKind::Whitespace:
      out.labels = TextMatrixReader<TruthCells>(input, out.kind == MatrixFileKind::Csv, tuning).read(out.names);
      break;
    case MatrixFileKind::Dataset: {
      // Only the labels matter: missing feature values stay NaN instead of stopping the read.
      ReadOptions opts = options;
      opts.missing = MissingPolicy::ImputeMean;
      std::error_code ec;
      Dataset data = fs::is_regular_file(input, ec) ? read_dataset(input, opts) : load_inputs({input}, opts);
      if (data.rows() == 0) throw Error(input, 0, "the data set has no rows");
      out.labels = std::move(data.labels);
      out.names = std::move(data.label_names);
      break;
    }
  }
  return out;
}

}  // namespace lg
