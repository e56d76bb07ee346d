// ARFF reader: a chunked line reader, a header parser, a label plan, and a row parser that
// writes straight into dense rows or CSR arrays. See arff_reader.hpp for the grammar.
//
// The data section is cut at line starts into pieces (one when it is small, a few per thread
// otherwise). The threads take the pieces in turn twice: a counting pass (rows, lines, an upper
// bound on the CSR entries per piece) after which the matrices are allocated once, and a
// parsing pass that writes each piece's rows straight into its own rows of the matrices (CSR:
// into its own stretch of the entry arrays, closed up afterwards). Every row is parsed by the
// same code whatever the split, so the result does not depend on the thread count; the error
// reported is that of the first failing piece in file order, i.e. the first bad line.
#include "io/arff_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/parallel.hpp"
#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "io/mulan_xml.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;  // bytes per read; lines may be longer

// ---------------------------------------------------------------- text helpers

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_quote(char c) { return c == '\'' || c == '"'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

// Long input in messages is cut so the error stays one readable line.
std::string clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 37)) + "...";
}

// Parse a whole token as a float. Accepts a leading '+', "inf", "nan"; false otherwise.
bool parse_float(std::string_view s, float& out) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ptr != end) return false;
  if (ec == std::errc::result_out_of_range) {  // under/overflow: let strtof round to 0 / inf
    out = std::strtof(std::string(s).c_str(), nullptr);
    return true;
  }
  return ec == std::errc();
}

bool parse_int(std::string_view s, long long& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && !s.empty();
}

// How many of the 8 bytes at p are ASCII digits before the first other byte (8: all).
unsigned leading_digits(const char* p) {
  std::uint64_t t = 0;
  std::memcpy(&t, p, 8);  // little-endian: p[0] is the low byte
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0, k3 = 0x3030303030303030, k6 = 0x0606060606060606;
  // A byte is a digit iff its high nibble is 3 and stays 3 after adding 6. A carry out of a
  // non-digit byte only disturbs the bytes after it.
  const std::uint64_t other = ((t & kHigh) ^ k3) | (((t + k6) & kHigh) ^ k3);
  return other ? static_cast<unsigned>(__builtin_ctzll(other)) / 8 : 8;
}

// The value of the n < 8 digits at p (bytes after them ignored).
std::uint64_t digit_value(const char* p, unsigned n) {
  if (n == 0) return 0;
  std::uint64_t t = 0;
  std::memcpy(&t, p, 8);
  const unsigned drop = 8 * (8 - n);
  t = ((t << drop) - (0x3030303030303030ULL << drop));  // the digits as 0..9, right-aligned, zeros before
  t = t * 10 + (t >> 8);                             // pairs
  t = (((t & 0x000000FF000000FF) * (100 + (1000000ULL << 32))) +
       (((t >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32)))) >> 32;
  return static_cast<std::uint32_t>(t);  // the bits above are not part of the value
}

constexpr std::uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

// The usual data value, a short decimal like -0.473521 or 1.5e-03, without std::from_chars
// (half of the parsing time on dense files). When the digits make an integer m < 2^24 and the
// value is m * 10^e with |e| <= 10, both m and 10^|e| are exact floats, so one float multiply
// or divide rounds correctly (Clinger's fast path): the same float from_chars gives. Returns
// the end of the number, or nullptr to leave the text to from_chars.
inline __attribute__((always_inline)) const char* parse_short_decimal(const char* p, const char* end, float& out) {
  static constexpr float kPow10[] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  std::uint64_t m = 0;
  std::size_t count = 0;
  int e = 0;
  unsigned n = 0;
  if (end - p >= 16 && (n = leading_digits(p)) < 8) {
    // Eight bytes at a time: no branch per digit (the lengths vary, so those mispredict).
    m = digit_value(p, n);
    p += n;
    count = n;
    if (*p == '.') {
      const unsigned f = leading_digits(++p);
      if (f == 8) return nullptr;
      m = m * kPow10Int[f] + digit_value(p, f);
      p += f;
      count += f;
      e = -static_cast<int>(f);
    }
  } else {
    const char* digits = p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) m = 10 * m + static_cast<unsigned>(*p++ - '0');
    count = static_cast<std::size_t>(p - digits);
    if (p < end && *p == '.') {
      const char* fraction = ++p;
      while (p < end && static_cast<unsigned>(*p - '0') < 10) m = 10 * m + static_cast<unsigned>(*p++ - '0');
      e = -static_cast<int>(p - fraction);
      count += static_cast<std::size_t>(p - fraction);
    }
  }
  if (count == 0 || count > 19) return nullptr;  // no digits, or m may have overflowed
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char* q = p + 1;
    const bool minus = q < end && *q == '-';
    if (q < end && (*q == '-' || *q == '+')) ++q;
    const char* first = q;
    int x = 0;
    while (q < end && static_cast<unsigned>(*q - '0') < 10 && q - first < 4) x = 10 * x + (*q++ - '0');
    if (q == first || (q < end && static_cast<unsigned>(*q - '0') < 10)) return nullptr;
    e += minus ? -x : x;
    p = q;
  }
  float v = 0.0f;
  if (m != 0) {
    if (m > (std::uint64_t{1} << 24) || e < -10 || e > 10) return nullptr;
    v = static_cast<float>(m);
    v = e < 0 ? v / kPow10[-e] : v * kPow10[e];
  }
  out = negative ? -v : v;
  return p;
}

// A quoted token starting at s[pos] into out, backslash escapes resolved; pos ends after the
// closing quote. False if the line ends first.
bool unquote(std::string_view s, std::size_t& pos, std::string& out) {
  const char q = s[pos++];
  out.clear();
  while (pos < s.size()) {
    const char c = s[pos++];
    if (c == q) return true;
    if (c == '\\' && pos < s.size()) {
      const char e = s[pos++];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    } else {
      out += c;
    }
  }
  return false;
}

std::string unterminated_quote(char q, const std::string& partial) {
  return fmt::format("unterminated quote: expected a closing {} before the end of the line, found '{}'", q,
                     clip(partial));
}

// ---------------------------------------------------------------- line reader

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads a file in large chunks and hands out lines as views into its buffer (no copy per line).
class LineReader {
 public:
  LineReader(std::FILE* file, std::string name)
      : file_(file), name_(std::move(name)), buf_(new char[kChunk]), size_(kChunk) {}

  // The next line without its "\n" / "\r\n"; false at the end of the file.
  bool next(std::string_view& line) {
    for (;;) {
      const char* start = buf_.get() + begin_;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
      if (nl || (eof_ && begin_ < end_)) {
        const char* stop = nl ? nl : buf_.get() + end_;
        line = std::string_view(start, static_cast<std::size_t>(stop - start));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        begin_ = static_cast<std::size_t>(stop - buf_.get()) + (nl ? 1 : 0);
        ++line_;
        return true;
      }
      if (eof_) return false;
      refill();
    }
  }

  std::size_t line_number() const { return line_; }
  // Byte offset of the next line in the file.
  std::size_t offset() const { return read_ - (end_ - begin_); }

  // Continue from byte `offset`, which starts line `line` + 1.
  void rewind(std::size_t offset, std::size_t line) {
    if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0)
      throw Error(name_, line, fmt::format("cannot seek: {}", std::strerror(errno)));
    begin_ = end_ = 0;
    read_ = offset;
    line_ = line;
    eof_ = false;
  }

 private:
  void refill() {
    // Keep the partial line at the front; grow only when one line fills the whole buffer.
    const std::size_t rest = end_ - begin_;
    if (begin_ > 0 && rest > 0) std::memmove(buf_.get(), buf_.get() + begin_, rest);
    begin_ = 0;
    end_ = rest;
    if (end_ == size_) {
      std::unique_ptr<char[]> bigger(new char[2 * size_]);
      std::memcpy(bigger.get(), buf_.get(), end_);
      buf_ = std::move(bigger);
      size_ *= 2;
    }
    const std::size_t got = std::fread(buf_.get() + end_, 1, size_ - end_, file_);
    if (got == 0) {
      if (std::ferror(file_)) throw Error(name_, line_, fmt::format("read error: {}", std::strerror(errno)));
      eof_ = true;
    }
    end_ += got;
    read_ += got;
  }

  std::FILE* file_;
  std::string name_;
  std::unique_ptr<char[]> buf_;  // not value-initialised: fresh memory is only touched by fread
  std::size_t size_;
  std::size_t begin_ = 0, end_ = 0, line_ = 0, read_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------- attributes and roles

enum class Type { Numeric, Nominal, String, Date };

struct Attribute {
  std::string name;
  Type type = Type::Numeric;
  std::vector<std::string> values;  // nominal values in declared order
  std::size_t line = 0;
  std::unordered_map<std::string_view, int> lookup;  // only for long value lists

  // Index of a nominal value, -1 if absent.
  int find(std::string_view v) const {
    if (lookup.empty()) {
      for (std::size_t i = 0; i < values.size(); ++i)
        if (values[i] == v) return static_cast<int>(i);
      return -1;
    }
    auto it = lookup.find(v);
    return it == lookup.end() ? -1 : it->second;
  }
};

const char* type_name(Type t) {
  switch (t) {
    case Type::Numeric: return "numeric";
    case Type::Nominal: return "nominal";
    case Type::String: return "string";
    case Type::Date: return "date";
  }
  return "?";
}

std::string nominal_spec(const Attribute& a) {
  std::string s = "{";
  for (std::size_t i = 0; i < a.values.size() && i < 8; ++i) s += (i ? "," : "") + a.values[i];
  if (a.values.size() > 8) s += ",...";
  return s + "}";
}

// True for nominal {0,1} in either order: such attributes are 0/1 numbers, mapped by text.
bool is_binary(const Attribute& a) {
  return a.type == Type::Nominal && a.values.size() == 2 &&
         ((a.values[0] == "0" && a.values[1] == "1") || (a.values[0] == "1" && a.values[1] == "0"));
}

// What a data value of one attribute turns into.
enum class Kind : std::uint8_t { Numeric, Binary, OneHot, Skip, NumericLabel, BinaryLabel };

struct Slot {
  Kind kind = Kind::Skip;
  Index column = 0;          // feature column (first one-hot column) or label column
  std::uint8_t first = 0;    // Binary / BinaryLabel: 0/1 meaning of the first declared value
  bool nonzero_default = false;  // sparse rows: an omitted value is a non-zero feature
};

// MEKA's relation "Name: -C 6 -R": the name is the part before ':' when options follow.
struct Relation {
  std::string name;
  std::string options;
};

// The first ':' followed by an option ('-') splits; other colons belong to the name.
Relation split_relation(const std::string& text) {
  for (std::size_t colon = text.find(':'); colon != std::string::npos; colon = text.find(':', colon + 1)) {
    std::string_view after = trim(std::string_view(text).substr(colon + 1));
    if (!after.empty() && after.front() == '-')
      return {std::string(trim(std::string_view(text).substr(0, colon))), std::string(after)};
  }
  return {std::string(trim(text)), ""};
}

bool strip_split_suffix(std::string& stem) {
  for (const char* suffix : {"-train", "-test", "-sparse", "_train", "_test", "_sparse"}) {
    const std::size_t n = std::strlen(suffix);
    if (stem.size() > n && iequals(std::string_view(stem).substr(stem.size() - n), suffix)) {
      stem.resize(stem.size() - n);
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- the parser

// A byte range of the data section, starting at a line start, and what the passes learn of it.
struct Piece {
  std::size_t begin = 0;  // file offset of its first line
  std::size_t end = 0;    // file offset of the next piece's first line; SIZE_MAX: the end of the file
  // counting pass
  std::size_t lines = 0;  // lines in the piece, blank and comment lines included
  Index rows = 0, dense_rows = 0;
  std::size_t pairs = 0;  // an upper bound on the sparse pairs
  // from the pieces before it
  std::size_t first_line = 0;  // lines before the piece
  Index first_row = 0;
  Index entry_begin = 0, entry_limit = 0;  // sparse: CSR entries [begin, limit) are the piece's
  // parsing pass
  Index entry_end = 0;
  bool overflow = false;  // more CSR entries than the bound (one-hot '?' in sparse rows)
  std::exception_ptr error;
};

struct EntryOverflow {};  // thrown by a piece that may not grow the CSR arrays

class RowParser;

class ArffParser {
 public:
  ArffParser(const fs::path& path, const ReadOptions& options, const ArffTuning& tuning)
      : path_(path), file_(path.string()), options_(options), tuning_(tuning) {}

  Dataset run();

 private:
  friend class RowParser;

  // Header
  void read_header();
  void parse_relation(std::string_view rest);
  void parse_attribute(std::string_view rest);
  std::string read_quoted(std::string_view s, std::size_t& pos);
  std::string read_name(std::string_view s, std::size_t& pos);
  void read_nominal_values(std::string_view s, std::size_t& pos, Attribute& a);

  // Labels and columns
  std::vector<std::size_t> label_attributes();
  std::vector<std::size_t> labels_from_count(long long n, const std::string& from, std::size_t line);
  void plan_columns(const std::vector<std::size_t>& label_attrs);

  // Rows: a counting pass sizes the matrices, the parsing pass writes straight into them.
  void read_rows(std::FILE* file);
  std::vector<Piece> cut_pieces(std::FILE* file, std::size_t begin, std::size_t pieces);
  void allocate(std::vector<Piece>& pieces, std::size_t header_lines);
  void close_up_entries(const std::vector<Piece>& pieces);

  [[noreturn]] void fail(const std::string& message) const { throw Error(file_, reader_->line_number(), message); }

  fs::path path_;
  std::string file_;
  ReadOptions options_;
  ArffTuning tuning_;
  std::unique_ptr<LineReader> reader_;

  // header
  Relation relation_;
  std::size_t relation_line_ = 0;
  bool have_relation_ = false;
  std::vector<Attribute> attrs_;
  std::unordered_map<std::string, std::size_t> attr_index_;

  // plan
  std::vector<Slot> slots_;
  std::vector<std::size_t> nonzero_default_attrs_;
  std::vector<std::uint8_t> label_defaults_;  // a label row before any value is stored

  // rows
  Dataset data_;        // names, notes, and the matrices being filled
  Index capacity_ = 0;  // CSR entries allocated in data_.csr
};

Dataset ArffParser::run() {
  std::error_code ec;
  if (!fs::exists(path_, ec)) throw Error(file_, 0, "cannot open: no such file");
  if (fs::is_directory(path_, ec)) throw Error(file_, 0, "expected an ARFF file, found a folder");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(file_.c_str(), "rb"));
  if (!file) throw Error(file_, 0, fmt::format("cannot open: {}", std::strerror(errno)));
  reader_ = std::make_unique<LineReader>(file.get(), file_);
  read_header();
  plan_columns(label_attributes());
  read_rows(file.get());
  data_.name = have_relation_ ? relation_.name : path_.stem().string();
  data_.sources = {file_};
  return std::move(data_);  // Dataset's move swaps the CSR arrays instead of copying them
}

// ---------------------------------------------------------------- header

void ArffParser::read_header() {
  std::string_view line;
  bool any = false;
  while (reader_->next(line)) {
    if (reader_->line_number() == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 BOM
    const std::string_view s = trim(line);
    if (s.empty() || s.front() == '%') continue;
    any = true;
    if (s.front() != '@') {
      if (!attrs_.empty())
        fail(fmt::format("missing @data: expected '@data' before the data rows, found '{}'", clip(s)));
      fail(fmt::format("expected @relation, @attribute or @data, found '{}'", clip(s)));
    }
    std::size_t k = 1;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    const std::string keyword = lower(s.substr(1, k - 1));
    const std::string_view rest = s.substr(k);
    if (keyword == "relation") {
      parse_relation(rest);
    } else if (keyword == "attribute") {
      parse_attribute(rest);
    } else if (keyword == "data") {
      if (!trim(rest).empty() && trim(rest).front() != '%')
        fail(fmt::format("expected the data rows on the lines after @data, found '{}'", clip(trim(rest))));
      if (attrs_.empty()) fail("expected @attribute declarations before @data, found none");
      return;
    } else {
      fail(fmt::format("expected @relation, @attribute or @data, found '@{}'", clip(s.substr(1, k - 1))));
    }
  }
  if (!any) throw Error(file_, 0, "empty file: expected an ARFF header (@relation, @attribute, @data)");
  fail("missing @data: expected '@data' after the attribute declarations, found the end of the file");
}

void ArffParser::parse_relation(std::string_view rest) {
  if (have_relation_) fail("expected @relation once, found a second @relation");
  if (!attrs_.empty()) fail("expected @relation before the first @attribute, found it after");
  std::string_view s = trim(rest);
  std::string text;
  if (!s.empty() && is_quote(s.front())) {
    std::size_t pos = 0;
    text = read_quoted(s, pos);
  } else {
    // Unquoted: the rest of the line up to a comment (lenient: Weka takes one word).
    text = std::string(trim(s.substr(0, s.find('%'))));
  }
  relation_ = split_relation(text);
  relation_line_ = reader_->line_number();
  have_relation_ = true;
}

// A quoted token starting at s[pos]; handles backslash escapes. pos ends after the quote.
std::string ArffParser::read_quoted(std::string_view s, std::size_t& pos) {
  const char q = s[pos];
  std::string out;
  if (!unquote(s, pos, out)) fail(unterminated_quote(q, out));
  return out;
}

// An attribute name: quoted, or unquoted up to whitespace or '{' (taken literally).
std::string ArffParser::read_name(std::string_view s, std::size_t& pos) {
  if (is_quote(s[pos])) return read_quoted(s, pos);
  const std::size_t start = pos;
  while (pos < s.size() && !is_space(s[pos]) && s[pos] != '{') ++pos;
  return std::string(s.substr(start, pos - start));
}

void ArffParser::read_nominal_values(std::string_view s, std::size_t& pos, Attribute& a) {
  ++pos;  // '{'
  std::unordered_set<std::string> seen;
  for (;;) {
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == '}' && a.values.empty()) { ++pos; return; }
    if (pos >= s.size()) fail(fmt::format("unterminated nominal values of '{}': expected '}}', found the end of the line", a.name));
    std::string value;
    if (is_quote(s[pos])) {
      value = read_quoted(s, pos);
    } else {
      const std::size_t start = pos;
      while (pos < s.size() && s[pos] != ',' && s[pos] != '}') ++pos;
      value = std::string(trim(s.substr(start, pos - start)));
    }
    if (!seen.insert(value).second)
      fail(fmt::format("nominal attribute '{}': expected distinct values, found '{}' twice", a.name, clip(value)));
    a.values.push_back(std::move(value));
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == ',') { ++pos; continue; }
    if (pos < s.size() && s[pos] == '}') { ++pos; return; }
    fail(fmt::format("unterminated nominal values of '{}': expected ',' or '}}', found {}", a.name,
                     pos < s.size() ? "'" + clip(s.substr(pos)) + "'" : std::string("the end of the line")));
  }
}

void ArffParser::parse_attribute(std::string_view rest) {
  std::size_t pos = 0;
  while (pos < rest.size() && is_space(rest[pos])) ++pos;
  if (pos >= rest.size() || rest[pos] == '%') fail("expected an attribute name after @attribute, found nothing");
  Attribute a;
  a.line = reader_->line_number();
  a.name = read_name(rest, pos);
  while (pos < rest.size() && is_space(rest[pos])) ++pos;
  if (pos >= rest.size() || rest[pos] == '%')
    fail(fmt::format("attribute '{}': expected a type (numeric, real, integer, string, date or {{values}}), found nothing",
                     a.name));
  bool allow_more = false;
  if (rest[pos] == '{') {
    a.type = Type::Nominal;
    read_nominal_values(rest, pos, a);
  } else {
    const std::size_t start = pos;
    while (pos < rest.size() && !is_space(rest[pos])) ++pos;
    const std::string type = lower(rest.substr(start, pos - start));
    if (type == "numeric" || type == "real" || type == "integer") {
      a.type = Type::Numeric;
    } else if (type == "string") {
      a.type = Type::String;
    } else if (type == "date") {
      a.type = Type::Date;
      allow_more = true;  // an optional date format follows
    } else {
      fail(fmt::format("attribute '{}': unknown type: expected numeric, real, integer, string, date or {{values}}, found '{}'",
                       a.name, clip(rest.substr(start, pos - start))));
    }
  }
  const std::string_view tail = trim(rest.substr(pos));
  if (!allow_more && !tail.empty() && tail.front() != '%')
    fail(fmt::format("attribute '{}': expected the end of the line after its type, found '{}'", a.name, clip(tail)));
  if (auto [it, fresh] = attr_index_.emplace(a.name, attrs_.size()); !fresh)
    fail(fmt::format("duplicate attribute name '{}': expected unique names, first declared on line {}", a.name,
                     attrs_[it->second].line));
  attrs_.push_back(std::move(a));
}

// ---------------------------------------------------------------- labels

std::vector<std::size_t> ArffParser::labels_from_count(long long n, const std::string& from, std::size_t line) {
  const auto total = static_cast<long long>(attrs_.size());
  if (n == 0) throw Error(file_, line, fmt::format("{}: expected a non-zero label count, found 0", from));
  if (std::llabs(n) > total)
    throw Error(file_, line, fmt::format("{} declares {} labels, but the file has only {} attributes", from, std::llabs(n), total));
  std::vector<std::size_t> out;
  const long long first = n > 0 ? 0 : total + n;
  for (long long i = 0; i < std::llabs(n); ++i) out.push_back(static_cast<std::size_t>(first + i));
  return out;
}

std::vector<std::size_t> ArffParser::label_attributes() {
  fs::path xml = options_.labels.xml;
  if (xml.empty()) xml = find_label_xml(path_);
  if (!xml.empty()) {
    std::vector<std::size_t> out;
    for (const MulanLabel& label : read_mulan_labels(xml)) {
      auto it = attr_index_.find(label.name);
      if (it == attr_index_.end())
        throw Error(xml.string(), label.line,
                    fmt::format("label '{}' is absent from {}: expected an attribute of that name", label.name, file_));
      out.push_back(it->second);
    }
    data_.notes.push_back(fmt::format("labels declared by {}", xml.string()));
    if (!relation_.options.empty() && relation_.options.find("-C") != std::string::npos)
      data_.notes.push_back("the -C option in @relation was ignored: the XML label file declares the labels");
    return out;
  }
  if (options_.labels.count)
    return labels_from_count(*options_.labels.count, fmt::format("the label count option ({})", *options_.labels.count), 0);
  // MEKA: "-C n" among the relation's options.
  std::string_view opts = relation_.options;
  std::vector<std::string_view> words;
  while (!(opts = trim(opts)).empty()) {
    std::size_t end = 0;
    while (end < opts.size() && !is_space(opts[end])) ++end;
    words.push_back(opts.substr(0, end));
    opts.remove_prefix(end);
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] != "-C") continue;
    long long n = 0;
    if (i + 1 >= words.size() || !parse_int(words[i + 1], n))
      throw Error(file_, relation_line_,
                  fmt::format("expected an integer after -C in @relation, found '{}'",
                              i + 1 < words.size() ? clip(words[i + 1]) : std::string("nothing")));
    return labels_from_count(n, fmt::format("-C {} in @relation", n), relation_line_);
  }
  throw Error(file_, 0, "no label declaration: give --xml or --labels n, or put -C n in @relation");
}

void ArffParser::plan_columns(const std::vector<std::size_t>& label_attrs) {
  // Hash long nominal value lists; the views stay valid since attrs_ no longer changes.
  for (Attribute& attr : attrs_)
    if (attr.values.size() > 8)
      for (std::size_t i = 0; i < attr.values.size(); ++i) attr.lookup.emplace(attr.values[i], static_cast<int>(i));
  slots_.assign(attrs_.size(), Slot{});
  std::vector<bool> is_label(attrs_.size(), false);
  // Label columns in declaration order (the XML's, or attribute order for a count).
  for (std::size_t a : label_attrs) {
    const Attribute& attr = attrs_[a];
    Slot& slot = slots_[a];
    if (attr.type == Type::Numeric) {
      slot.kind = Kind::NumericLabel;
    } else if (is_binary(attr)) {
      slot.kind = Kind::BinaryLabel;
      slot.first = attr.values[0] == "1";
    } else {
      throw Error(file_, attr.line,
                  fmt::format("label attribute '{}': expected nominal {{0,1}} or numeric 0/1, found {}", attr.name,
                              attr.type == Type::Nominal ? nominal_spec(attr) : type_name(attr.type)));
    }
    slot.column = static_cast<Index>(data_.label_names.size());
    is_label[a] = true;
    data_.label_names.push_back(attr.name);
    label_defaults_.push_back(slot.first);
  }
  // Feature columns in attribute order.
  std::vector<std::string> one_hot, skipped;
  std::size_t binary = 0;
  for (std::size_t a = 0; a < attrs_.size(); ++a) {
    if (is_label[a]) continue;
    const Attribute& attr = attrs_[a];
    Slot& slot = slots_[a];
    slot.column = static_cast<Index>(data_.feature_names.size());
    if (attr.type == Type::Numeric) {
      slot.kind = Kind::Numeric;
      data_.feature_names.push_back(attr.name);
    } else if (is_binary(attr)) {
      slot.kind = Kind::Binary;
      slot.first = attr.values[0] == "1";
      slot.nonzero_default = slot.first == 1;
      data_.feature_names.push_back(attr.name);
      ++binary;
    } else if (attr.type == Type::Nominal) {
      slot.kind = Kind::OneHot;
      slot.nonzero_default = !attr.values.empty();  // omitted = first value = a 1 in its column
      for (const std::string& v : attr.values) data_.feature_names.push_back(attr.name + "=" + v);
      one_hot.push_back(fmt::format("{} ({} values)", attr.name, attr.values.size()));
    } else {
      slot.kind = Kind::Skip;
      skipped.push_back(fmt::format("{} ({})", attr.name, type_name(attr.type)));
    }
    if (slot.nonzero_default) nonzero_default_attrs_.push_back(a);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < 10; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > 10) s += fmt::format(", ... ({} in all)", names.size());
    return s;
  };
  if (binary) data_.notes.push_back(fmt::format("{} nominal {{0,1}} feature attribute(s) read as one 0/1 column each", binary));
  if (!one_hot.empty())
    data_.notes.push_back("nominal feature attribute(s) one-hot encoded as 'attr=value' columns: " + list(one_hot));
  if (!skipped.empty()) data_.notes.push_back("string/date attribute(s) kept out of the features: " + list(skipped));
}

// ---------------------------------------------------------------- rows

// Parses the rows of pieces: one per thread, reused from piece to piece. Reads through its own
// LineReader, so the line numbers in its errors are those of the file.
class RowParser {
 public:
  RowParser(const ArffParser& p, Dataset& data, LineReader& reader)
      : p_(p), data_(data), reader_(reader), stamp_(p.attrs_.size(), 0) {}

  // Counting pass: lines, rows, dense rows and an upper bound on the sparse pairs.
  void count(Piece& piece);
  // Parsing pass: the piece's rows into rows first_row... of the matrices. With can_grow the
  // piece may enlarge the CSR arrays (one piece only); otherwise it throws EntryOverflow.
  void parse(Piece& piece, bool can_grow);

 private:
  void parse_dense_row(std::string_view line, float* features, std::uint8_t* labels);
  void parse_sparse_row(std::string_view line, std::uint8_t* labels);
  std::string_view next_value(std::string_view line, std::size_t& pos, bool in_braces, bool& quoted);
  void store(std::size_t a, std::string_view v, bool quoted, float* dense_row, std::uint8_t* labels);
  bool store_fast(std::size_t a, std::string_view line, std::size_t& pos, bool in_braces, float* dense_row,
                  std::uint8_t* labels);
  void push(Index column, float value);
  void finish_sparse_row(Index row_start, bool unsorted);
  int nominal_index(std::size_t a, std::string_view v);
  float number(std::size_t a, std::string_view v);

  [[noreturn]] void fail(const std::string& message) const {
    throw Error(p_.file_, reader_.line_number(), message);
  }

  const ArffParser& p_;
  Dataset& data_;
  LineReader& reader_;
  bool can_grow_ = false;
  Index row_ = 0;                     // the row being parsed
  Index nnz_ = 0;                     // CSR entries filled (absolute position)
  Index limit_ = 0;                   // the end of this piece's CSR entries
  std::vector<float> row_buf_;        // a dense row read into a sparse file
  std::vector<std::uint64_t> stamp_;  // per attribute: last sparse row that gave it
  std::uint64_t row_stamp_ = 0;
  std::string scratch_;               // unescaped quoted value
};

void RowParser::count(Piece& piece) {
  reader_.rewind(piece.begin, 0);
  std::string_view line;
  while (reader_.offset() < piece.end && reader_.next(line)) {
    std::size_t start = 0;
    while (start < line.size() && is_space(line[start])) ++start;
    if (start == line.size() || line[start] == '%') continue;
    ++piece.rows;
    if (line[start] == '{') piece.pairs += 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), ','));
    else ++piece.dense_rows;
  }
  piece.lines = reader_.line_number();
}

void RowParser::parse(Piece& piece, bool can_grow) {
  const Index D = data_.num_features();
  const auto L = static_cast<Index>(p_.label_defaults_.size());
  if (data_.sparse && row_buf_.size() != static_cast<std::size_t>(D)) row_buf_.assign(static_cast<std::size_t>(D), 0.0f);
  can_grow_ = can_grow;
  nnz_ = piece.entry_begin;
  limit_ = piece.entry_limit;
  reader_.rewind(piece.begin, piece.first_line);
  const Index last = piece.first_row + piece.rows;
  std::string_view line;
  Index r = piece.first_row;
  while (reader_.offset() < piece.end && reader_.next(line)) {
    std::size_t start = 0;
    while (start < line.size() && is_space(line[start])) ++start;
    if (start == line.size() || line[start] == '%') continue;  // blank or comment
    if (r == last) fail("the file changed while it was read");
    std::uint8_t* labels = data_.labels.data() + r * L;
    std::copy(p_.label_defaults_.begin(), p_.label_defaults_.end(), labels);
    row_ = r;
    ++row_stamp_;
    if (line[start] == '{') {
      parse_sparse_row(line.substr(start), labels);
    } else if (!data_.sparse) {
      float* row = data_.dense.data() + r * D;
      std::fill(row, row + D, 0.0f);
      parse_dense_row(line, row, labels);
    } else {
      const Index row_start = nnz_;
      std::fill(row_buf_.begin(), row_buf_.end(), 0.0f);
      parse_dense_row(line, row_buf_.data(), labels);
      for (Index c = 0; c < D; ++c)
        if (row_buf_[c] != 0.0f || std::isnan(row_buf_[c])) push(c, row_buf_[c]);
      finish_sparse_row(row_start, false);
    }
    ++r;
  }
  if (r != last) fail("the file changed while it was read");
  piece.entry_end = nnz_;
}

void RowParser::push(Index column, float value) {
  if (nnz_ == limit_) {
    // Only reached when the counting pass under-estimated (missing one-hot values in sparse rows).
    if (!can_grow_) throw EntryOverflow{};
    limit_ = std::max<Index>(2 * limit_, 1024);
    data_.csr.resizeNonZeros(limit_);  // keeps the entries filled so far
  }
  data_.csr.innerIndexPtr()[nnz_] = column;
  data_.csr.valuePtr()[nnz_] = value;
  ++nnz_;
}

// The next comma-separated value starting at pos (spaces trimmed, quotes removed). Sets pos to
// the separator after it. In braces (sparse rows) a value also ends at '}'.
std::string_view RowParser::next_value(std::string_view line, std::size_t& pos, bool in_braces, bool& quoted) {
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  quoted = pos < line.size() && is_quote(line[pos]);
  if (quoted) {
    const char q = line[pos];
    if (!unquote(line, pos, scratch_)) fail(unterminated_quote(q, scratch_));
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    return scratch_;
  }
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ',' && line[pos] != '%' && !(in_braces && line[pos] == '}')) ++pos;
  std::size_t end = pos;
  while (end > start && is_space(line[end - 1])) --end;
  return line.substr(start, end - start);
}

int RowParser::nominal_index(std::size_t a, std::string_view v) {
  const Attribute& attr = p_.attrs_[a];
  const int i = attr.find(v);
  if (i < 0) fail(fmt::format("attribute '{}': expected one of {}, found '{}'", attr.name, nominal_spec(attr), clip(v)));
  return i;
}

float RowParser::number(std::size_t a, std::string_view v) {
  float x = 0.0f;
  if (!parse_float(v, x))
    fail(fmt::format("attribute '{}' ({}): expected a number, found '{}'", p_.attrs_[a].name,
                     type_name(p_.attrs_[a].type), clip(v)));
  return x;
}

// Store value v of attribute a: into dense_row when given, else as CSR entries of this row.
void RowParser::store(std::size_t a, std::string_view v, bool quoted, float* dense_row, std::uint8_t* labels) {
  const Slot& slot = p_.slots_[a];
  const Attribute& attr = p_.attrs_[a];
  if (slot.kind == Kind::Skip) return;
  const bool label = slot.kind == Kind::NumericLabel || slot.kind == Kind::BinaryLabel;
  if (v.empty() && !quoted) fail(fmt::format("attribute '{}': expected a value, found nothing", attr.name));
  if (!quoted && v == "?") {
    if (label) fail(fmt::format("label '{}': expected 0 or 1, found '?' (a label value cannot be missing)", attr.name));
    if (p_.options_.missing == MissingPolicy::Error)
      fail(fmt::format("attribute '{}': expected a value, found '?' (missing values are an error unless imputation "
                       "is asked for)", attr.name));
    const Index width = slot.kind == Kind::OneHot ? static_cast<Index>(attr.values.size()) : 1;
    for (Index k = 0; k < width; ++k) {
      if (dense_row) dense_row[slot.column + k] = NAN;
      else push(slot.column + k, NAN);
    }
    return;
  }
  float x = 0.0f;
  Index column = slot.column;
  switch (slot.kind) {
    case Kind::Numeric: x = number(a, v); break;
    case Kind::Binary: x = static_cast<float>(nominal_index(a, v) == 0 ? slot.first : 1 - slot.first); break;
    case Kind::OneHot: column += nominal_index(a, v); x = 1.0f; break;
    case Kind::BinaryLabel:
      labels[slot.column] = static_cast<std::uint8_t>(nominal_index(a, v) == 0 ? slot.first : 1 - slot.first);
      return;
    case Kind::NumericLabel:
      x = number(a, v);
      if (x != 0.0f && x != 1.0f) fail(fmt::format("label '{}': expected 0 or 1, found '{}'", attr.name, clip(v)));
      labels[slot.column] = static_cast<std::uint8_t>(x);
      return;
    case Kind::Skip: return;
  }
  if (dense_row) dense_row[column] = x;
  else if (x != 0.0f) push(column, x);
}

// The common case without a detour through next_value(): an unquoted number (or a single 0/1
// for binary attributes) right at pos, followed by a separator. Returns false to leave
// anything else, errors included, to the general path.
bool RowParser::store_fast(std::size_t a, std::string_view line, std::size_t& pos, bool in_braces, float* dense_row,
                           std::uint8_t* labels) {
  const Slot& slot = p_.slots_[a];
  const char* begin = line.data() + pos;
  const char* end = line.data() + line.size();
  float x = 0.0f;
  const char* stop = begin;
  if (slot.kind == Kind::Numeric && end - begin >= 2 && begin[0] >= '0' && begin[0] <= '9' &&
      (begin[1] == ',' || begin[1] == '}')) {
    x = static_cast<float>(begin[0] - '0');  // one digit, as in binary sparse data
    stop = begin + 1;
  } else if (slot.kind == Kind::Numeric) {
    stop = parse_short_decimal(begin, end, x);
    if (!stop) {
      auto [ptr, ec] = std::from_chars(begin, end, x);
      if (ec != std::errc()) return false;
      stop = ptr;
    }
  } else if (slot.kind == Kind::Binary || slot.kind == Kind::BinaryLabel || slot.kind == Kind::NumericLabel) {
    if (begin == end || (*begin != '0' && *begin != '1')) return false;
    x = static_cast<float>(*begin - '0');  // by value text, whatever the declared order
    stop = begin + 1;
  } else {
    return false;
  }
  if (stop == begin || !(stop == end || *stop == ',' || (in_braces && *stop == '}'))) return false;
  pos = static_cast<std::size_t>(stop - line.data());
  if (slot.kind == Kind::BinaryLabel || slot.kind == Kind::NumericLabel) labels[slot.column] = static_cast<std::uint8_t>(x);
  else if (dense_row) dense_row[slot.column] = x;
  else if (x != 0.0f) push(slot.column, x);
  return true;
}

void RowParser::parse_dense_row(std::string_view line, float* features, std::uint8_t* labels) {
  const std::size_t A = p_.attrs_.size();
  std::size_t pos = 0;
  bool quoted = false;
  for (std::size_t a = 0; a < A; ++a) {
    if (a > 0) {
      if (pos >= line.size() || line[pos] != ',')
        fail(fmt::format("expected {} values (one per attribute), found {}", A, a));
      ++pos;
    }
    if (p_.slots_[a].kind == Kind::Numeric) {  // the bulk of dense files, without a call
      float x = 0.0f;
      const char* stop = parse_short_decimal(line.data() + pos, line.data() + line.size(), x);
      if (stop && (stop == line.data() + line.size() || *stop == ',') && stop != line.data() + pos) {
        features[p_.slots_[a].column] = x;
        pos = static_cast<std::size_t>(stop - line.data());
        continue;
      }
    }
    if (store_fast(a, line, pos, false, features, labels)) continue;
    const std::string_view v = next_value(line, pos, false, quoted);
    store(a, v, quoted, features, labels);
  }
  if (pos < line.size() && line[pos] != '%') {
    std::size_t found = A;
    while (pos < line.size() && line[pos] == ',') {
      ++pos;
      next_value(line, pos, false, quoted);
      ++found;
    }
    if (found == A) fail(fmt::format("expected ',' or the end of the row, found '{}'", clip(line.substr(pos))));
    fail(fmt::format("expected {} values (one per attribute), found {}", A, found));
  }
}

void RowParser::parse_sparse_row(std::string_view line, std::uint8_t* labels) {
  const std::size_t A = p_.attrs_.size();
  const Index row_start = nnz_;
  std::size_t pos = 1;  // after '{'
  long long previous = -1;
  bool unsorted = false;
  bool quoted = false;
  auto skip_spaces = [&] { while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos; };
  skip_spaces();
  if (pos < line.size() && line[pos] == '}') {
    ++pos;
  } else {
    for (;;) {
      skip_spaces();
      const std::size_t start = pos;
      long long index = 0;  // at most 18 digits: no overflow; more is a malformed pair
      while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && pos - start < 18)
        index = 10 * index + (line[pos++] - '0');
      if (pos == start || pos >= line.size() || !(line[pos] == ' ' || line[pos] == '\t'))
        fail(fmt::format("malformed sparse pair: expected 'index value', found '{}'",
                         clip(line.substr(start, line.find_first_of(",}", start) - start))));
      if (index >= static_cast<long long>(A))
        fail(fmt::format("sparse index {} out of range: expected 0 to {} (the file has {} attributes)", index, A - 1, A));
      const auto a = static_cast<std::size_t>(index);
      if (stamp_[a] == row_stamp_) fail(fmt::format("sparse index {} given twice in one row", index));
      stamp_[a] = row_stamp_;
      unsorted = unsorted || index < previous;
      previous = index;
      ++pos;  // the space after the index
      if (!store_fast(a, line, pos, true, nullptr, labels)) {
        const std::string_view v = next_value(line, pos, true, quoted);
        if (v.empty() && !quoted)
          fail(fmt::format("malformed sparse pair: expected a value after index {}, found nothing", index));
        store(a, v, quoted, nullptr, labels);
      }
      if (pos < line.size() && line[pos] == ',') { ++pos; continue; }
      if (pos < line.size() && line[pos] == '}') { ++pos; break; }
      fail(fmt::format("malformed sparse row: expected ',' or '}}', found {}",
                       pos < line.size() ? "'" + clip(line.substr(pos)) + "'" : std::string("the end of the line")));
    }
  }
  skip_spaces();
  if (pos < line.size() && line[pos] != '%')
    fail(fmt::format("expected the end of the row after '}}', found '{}'", clip(line.substr(pos))));
  // Omitted nominal attributes mean their first value: a 1 somewhere for some of them.
  for (std::size_t a : p_.nonzero_default_attrs_)
    if (stamp_[a] != row_stamp_) {
      push(p_.slots_[a].column, 1.0f);  // Binary {1,0}: value 1; OneHot: its first value's column
      unsorted = true;
    }
  finish_sparse_row(row_start, unsorted);
}

// Close a CSR row, sorting its entries by column when they did not come in order.
void RowParser::finish_sparse_row(Index row_start, bool unsorted) {
  Index* inner = data_.csr.innerIndexPtr();
  float* values = data_.csr.valuePtr();
  if (unsorted) {
    std::vector<std::pair<Index, float>> entries;
    for (Index k = row_start; k < nnz_; ++k) entries.emplace_back(inner[k], values[k]);
    std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (std::size_t k = 0; k < entries.size(); ++k) {
      inner[row_start + static_cast<Index>(k)] = entries[k].first;
      values[row_start + static_cast<Index>(k)] = entries[k].second;
    }
  }
  data_.csr.outerIndexPtr()[row_ + 1] = nnz_;
}

// Runs job(worker, i) for every i < count on `threads` threads (this one included), each
// taking the next i in turn; worker t runs on thread t: core/parallel.hpp.
template <typename Job>
void run_parallel(std::size_t threads, std::size_t count, const Job& job) {
  parallel_for_workers(static_cast<Index>(count), static_cast<int>(std::max<std::size_t>(1, threads)),
                       [&](int worker, Index i) {
                         job(static_cast<std::size_t>(worker), static_cast<std::size_t>(i));
                       });
}

// Pieces of the data section of about equal size, each starting at a line start.
std::vector<Piece> ArffParser::cut_pieces(std::FILE* file, std::size_t begin, std::size_t count) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path_, ec);
  std::vector<Piece> pieces(count);
  pieces[0].begin = begin;
  pieces.back().end = std::numeric_limits<std::size_t>::max();
  std::vector<char> buf(1 << 16);
  for (std::size_t i = 1; i < count; ++i) {
    const std::size_t target = begin + static_cast<std::size_t>((size - begin) * i / count);
    std::size_t cut = std::max(target, pieces[i - 1].begin);
    // The first line start at or after `cut`: just after the first '\n' from cut - 1 on.
    if (cut > begin) {
      if (std::fseek(file, static_cast<long>(cut - 1), SEEK_SET) != 0)
        throw Error(file_, 0, fmt::format("cannot seek: {}", std::strerror(errno)));
      for (std::size_t at = cut - 1;;) {
        const std::size_t got = std::fread(buf.data(), 1, buf.size(), file);
        const void* nl = std::memchr(buf.data(), '\n', got);
        if (nl) {
          cut = at + static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
          break;
        }
        at += got;
        if (got < buf.size()) {  // no line starts after cut: the piece is empty
          cut = std::max<std::size_t>(at, cut);
          break;
        }
      }
    }
    pieces[i].begin = cut;
    pieces[i - 1].end = cut;
  }
  return pieces;
}

// After the counting pass: where each piece's rows and lines start, and the matrices at their
// final size (CSR: each piece's upper bound of entries, one stretch after another).
void ArffParser::allocate(std::vector<Piece>& pieces, std::size_t header_lines) {
  const Index D = static_cast<Index>(data_.feature_names.size());
  const auto defaults = static_cast<Index>(nonzero_default_attrs_.size());
  Index rows = 0, dense_rows = 0, entries = 0;
  std::size_t lines = header_lines;
  for (Piece& piece : pieces) {
    piece.first_line = lines;
    piece.first_row = rows;
    piece.entry_begin = entries;
    entries += static_cast<Index>(piece.pairs) + piece.dense_rows * D + piece.rows * defaults;
    piece.entry_limit = entries;
    lines += piece.lines;
    rows += piece.rows;
    dense_rows += piece.dense_rows;
  }
  data_.sparse = dense_rows < rows;
  data_.labels.resize(rows, static_cast<Index>(label_defaults_.size()));
  advise_huge_pages(data_.labels.data(), static_cast<std::size_t>(data_.labels.size()));
  if (data_.sparse) {
    capacity_ = entries;
    data_.csr.resize(rows, D);
    data_.csr.resizeNonZeros(capacity_);  // allocated, not touched: unused capacity costs nothing
    data_.csr.outerIndexPtr()[0] = 0;
    advise_huge_pages(data_.csr.innerIndexPtr(), static_cast<std::size_t>(capacity_) * sizeof(Index));
    advise_huge_pages(data_.csr.valuePtr(), static_cast<std::size_t>(capacity_) * sizeof(float));
  } else {
    data_.dense.resize(rows, D);
    advise_huge_pages(data_.dense.data(), static_cast<std::size_t>(data_.dense.size()) * sizeof(float));
  }
}

// Moves each piece's CSR entries down to just after those of the piece before it.
void ArffParser::close_up_entries(const std::vector<Piece>& pieces) {
  Index* inner = data_.csr.innerIndexPtr();
  float* values = data_.csr.valuePtr();
  Index* outer = data_.csr.outerIndexPtr();
  Index nnz = 0;
  for (const Piece& piece : pieces) {
    const Index shift = piece.entry_begin - nnz;
    const Index n = piece.entry_end - piece.entry_begin;
    if (shift > 0) {
      std::memmove(inner + nnz, inner + piece.entry_begin, static_cast<std::size_t>(n) * sizeof(Index));
      std::memmove(values + nnz, values + piece.entry_begin, static_cast<std::size_t>(n) * sizeof(float));
      for (Index r = piece.first_row; r < piece.first_row + piece.rows; ++r) outer[r + 1] -= shift;
    }
    nnz += n;
  }
  data_.csr.resizeNonZeros(nnz);
}

void ArffParser::read_rows(std::FILE* file) {
  const std::size_t begin = reader_->offset();
  const std::size_t header_lines = reader_->line_number();
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path_, ec);
  const std::size_t bytes = !ec && size > begin ? static_cast<std::size_t>(size - begin) : 0;
  const auto cores = static_cast<unsigned>(resolve_threads(static_cast<int>(tuning_.threads)));
  const std::size_t by_size = bytes / std::max<std::size_t>(tuning_.min_bytes_per_thread, 1);
  const std::size_t threads = std::clamp<std::size_t>(std::min<std::size_t>(cores, by_size), 1, 64);
  // A few pieces per thread, taken in turn: a thread that the OS preempts holds up less.
  std::vector<Piece> pieces = threads == 1 ? std::vector<Piece>(1) : cut_pieces(file, begin, threads * 4);
  if (threads == 1) {
    pieces[0].begin = begin;
    pieces[0].end = std::numeric_limits<std::size_t>::max();
  }

  // One reader per thread: this thread's is reader_, the others open the file again.
  std::vector<std::unique_ptr<std::FILE, FileCloser>> files;
  std::vector<std::unique_ptr<LineReader>> readers;
  std::vector<std::unique_ptr<RowParser>> parsers;
  for (std::size_t t = 0; t < threads; ++t) {
    LineReader* reader = reader_.get();
    if (t > 0) {
      files.emplace_back(std::fopen(file_.c_str(), "rb"));
      if (!files.back()) throw Error(file_, 0, fmt::format("cannot open: {}", std::strerror(errno)));
      readers.push_back(std::make_unique<LineReader>(files.back().get(), file_));
      reader = readers.back().get();
    }
    parsers.push_back(std::make_unique<RowParser>(*this, data_, *reader));
  }

  // Runs a pass over the pieces; pieces after the first that fails are skipped. Rethrows the
  // error of the first failing piece in file order; true if a piece overflowed its entries.
  const auto pass = [&](const auto& job) {
    std::atomic<std::size_t> first_stop{pieces.size()};
    run_parallel(threads, pieces.size(), [&](std::size_t worker, std::size_t i) {
      if (i > first_stop.load()) return;
      try {
        job(*parsers[worker], pieces[i]);
      } catch (const EntryOverflow&) {
        pieces[i].overflow = true;
      } catch (...) {
        pieces[i].error = std::current_exception();
      }
      if (pieces[i].overflow || pieces[i].error) {
        std::size_t stop = first_stop.load();
        while (i < stop && !first_stop.compare_exchange_weak(stop, i)) {}
      }
    });
    for (const Piece& piece : pieces) {
      if (piece.error) std::rethrow_exception(piece.error);
      if (piece.overflow) return true;
    }
    return false;
  };

  pass([](RowParser& parser, Piece& piece) { parser.count(piece); });
  allocate(pieces, header_lines);
  const bool one = pieces.size() == 1;
  if (pass([one](RowParser& parser, Piece& piece) { parser.parse(piece, one); })) {
    // Some piece needed more CSR entries than counted: parse again as one piece that may grow.
    Piece all;
    all.begin = begin;
    all.end = std::numeric_limits<std::size_t>::max();
    all.first_line = pieces.front().first_line;
    for (const Piece& piece : pieces) all.rows += piece.rows;
    all.entry_limit = capacity_;
    pieces.assign(1, all);
    parsers.front()->parse(pieces.front(), true);
  }
  if (data_.sparse) close_up_entries(pieces);
}

}  // namespace

fs::path find_label_xml(const fs::path& arff) {
  std::string stem = arff.stem().string();
  for (;;) {
    const fs::path candidate = arff.parent_path() / (stem + ".xml");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (!strip_split_suffix(stem)) return {};
  }
}

Dataset read_arff(const fs::path& path, const ReadOptions& options, const ArffTuning& tuning) {
  return ArffParser(path, options, tuning).run();
}

}  // namespace lg
