// ARFF reader: a chunked line reader, a header parser, a label plan, and a row parser that
// writes straight into dense rows or CSR arrays. See arff_reader.hpp for the grammar.
#include "io/arff_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "core/error.hpp"
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

// Output matrices are large fresh memory, first touched page by page while parsing. Where the
// kernel offers transparent huge pages on request (Linux "madvise" mode), ask for them: on
// virtual machines with costly page faults this is most of the cost of a cold read. A hint
// only; nothing changes where it is ignored.
void advise_huge_pages(const void* data, std::size_t bytes) {
#ifdef __linux__
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto start = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t begin = (start + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (start + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
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

class ArffParser {
 public:
  ArffParser(const fs::path& path, const ReadOptions& options) : path_(path), file_(path.string()), options_(options) {}

  Dataset run();

 private:
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
  void count_rows();
  void read_rows();
  void parse_dense_row(std::string_view line, float* features, std::uint8_t* labels);
  void parse_sparse_row(std::string_view line, std::uint8_t* labels);
  std::string_view next_value(std::string_view line, std::size_t& pos, bool in_braces, bool& quoted);
  void store(std::size_t a, std::string_view v, bool quoted, float* dense_row, std::uint8_t* labels);
  bool store_fast(std::size_t a, std::string_view line, std::size_t& pos, bool in_braces, float* dense_row,
                  std::uint8_t* labels);
  void push(Index column, float value);
  void grow_nonzeros();
  void finish_sparse_row(Index row_start, bool unsorted);
  int nominal_index(std::size_t a, std::string_view v);
  float number(std::size_t a, std::string_view v);

  [[noreturn]] void fail(const std::string& message) const { throw Error(file_, reader_->line_number(), message); }

  fs::path path_;
  std::string file_;
  ReadOptions options_;
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
  Dataset data_;                      // names, notes, and the matrices being filled
  Index row_ = 0;                     // the row being parsed
  Index capacity_ = 0;                // CSR entries allocated in data_.csr
  Index nnz_ = 0;                     // CSR entries filled
  std::vector<float> row_buf_;        // a dense row read into a sparse file
  std::vector<std::uint64_t> stamp_;  // per attribute: last sparse row that gave it
  std::uint64_t row_stamp_ = 0;
  std::string scratch_;               // unescaped quoted value
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
  count_rows();
  read_rows();
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
  const char q = s[pos++];
  std::string out;
  while (pos < s.size()) {
    const char c = s[pos++];
    if (c == q) return out;
    if (c == '\\' && pos < s.size()) {
      const char e = s[pos++];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
    } else {
      out += c;
    }
  }
  fail(fmt::format("unterminated quote: expected a closing {} before the end of the line, found '{}'", q,
                   clip(out)));
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
  stamp_.assign(attrs_.size(), 0);
}

// ---------------------------------------------------------------- rows

// First pass over the data section: how many rows, whether any is sparse, and an upper bound
// on the CSR entries, so the matrices are allocated once at their final size.
void ArffParser::count_rows() {
  const std::size_t offset = reader_->offset();
  const std::size_t line_number = reader_->line_number();
  std::string_view line;
  Index rows = 0, dense_rows = 0;
  std::size_t pairs = 0;
  while (reader_->next(line)) {
    std::size_t start = 0;
    while (start < line.size() && is_space(line[start])) ++start;
    if (start == line.size() || line[start] == '%') continue;
    ++rows;
    if (line[start] == '{') pairs += 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), ','));
    else ++dense_rows;
  }
  reader_->rewind(offset, line_number);

  const Index D = static_cast<Index>(data_.feature_names.size());
  data_.sparse = dense_rows < rows;
  data_.labels.resize(rows, static_cast<Index>(label_defaults_.size()));
  advise_huge_pages(data_.labels.data(), static_cast<std::size_t>(data_.labels.size()));
  if (data_.sparse) {
    capacity_ = static_cast<Index>(pairs) + dense_rows * D + rows * static_cast<Index>(nonzero_default_attrs_.size());
    data_.csr.resize(rows, D);
    data_.csr.resizeNonZeros(capacity_);  // allocated, not touched: unused capacity costs nothing
    data_.csr.outerIndexPtr()[0] = 0;
    advise_huge_pages(data_.csr.innerIndexPtr(), static_cast<std::size_t>(capacity_) * sizeof(Index));
    advise_huge_pages(data_.csr.valuePtr(), static_cast<std::size_t>(capacity_) * sizeof(float));
    row_buf_.assign(static_cast<std::size_t>(D), 0.0f);
  } else {
    data_.dense.resize(rows, D);
    advise_huge_pages(data_.dense.data(), static_cast<std::size_t>(data_.dense.size()) * sizeof(float));
  }
}

void ArffParser::read_rows() {
  std::string_view line;
  const Index D = data_.num_features();
  const auto L = label_defaults_.size();
  Index r = 0;
  while (reader_->next(line)) {
    std::size_t start = 0;
    while (start < line.size() && is_space(line[start])) ++start;
    if (start == line.size() || line[start] == '%') continue;  // blank or comment
    if (r == data_.rows()) fail("the file changed while it was read");
    std::uint8_t* labels = data_.labels.data() + r * static_cast<Index>(L);
    std::copy(label_defaults_.begin(), label_defaults_.end(), labels);
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
  if (r != data_.rows()) fail("the file changed while it was read");
  if (data_.sparse) data_.csr.resizeNonZeros(nnz_);
}

void ArffParser::push(Index column, float value) {
  if (nnz_ == capacity_) grow_nonzeros();
  data_.csr.innerIndexPtr()[nnz_] = column;
  data_.csr.valuePtr()[nnz_] = value;
  ++nnz_;
}

// Only reached when the counting pass under-estimated (missing one-hot values in sparse rows).
void ArffParser::grow_nonzeros() {
  capacity_ = std::max<Index>(2 * capacity_, 1024);
  data_.csr.resizeNonZeros(capacity_);  // keeps the entries filled so far
}

// The next comma-separated value starting at pos (spaces trimmed, quotes removed). Sets pos to
// the separator after it. In braces (sparse rows) a value also ends at '}'.
std::string_view ArffParser::next_value(std::string_view line, std::size_t& pos, bool in_braces, bool& quoted) {
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  quoted = pos < line.size() && is_quote(line[pos]);
  if (quoted) {
    scratch_ = read_quoted(line, pos);
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    return scratch_;
  }
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ',' && line[pos] != '%' && !(in_braces && line[pos] == '}')) ++pos;
  std::size_t end = pos;
  while (end > start && is_space(line[end - 1])) --end;
  return line.substr(start, end - start);
}

int ArffParser::nominal_index(std::size_t a, std::string_view v) {
  const int i = attrs_[a].find(v);
  if (i < 0)
    fail(fmt::format("attribute '{}': expected one of {}, found '{}'", attrs_[a].name, nominal_spec(attrs_[a]), clip(v)));
  return i;
}

float ArffParser::number(std::size_t a, std::string_view v) {
  float x = 0.0f;
  if (!parse_float(v, x))
    fail(fmt::format("attribute '{}' ({}): expected a number, found '{}'", attrs_[a].name, type_name(attrs_[a].type),
                     clip(v)));
  return x;
}

// Store value v of attribute a: into dense_row when given, else as CSR entries of this row.
void ArffParser::store(std::size_t a, std::string_view v, bool quoted, float* dense_row, std::uint8_t* labels) {
  const Slot& slot = slots_[a];
  if (slot.kind == Kind::Skip) return;
  const bool label = slot.kind == Kind::NumericLabel || slot.kind == Kind::BinaryLabel;
  if (v.empty() && !quoted)
    fail(fmt::format("attribute '{}': expected a value, found nothing", attrs_[a].name));
  if (!quoted && v == "?") {
    if (label) fail(fmt::format("label '{}': expected 0 or 1, found '?' (a label value cannot be missing)", attrs_[a].name));
    if (options_.missing == MissingPolicy::Error)
      fail(fmt::format("attribute '{}': expected a value, found '?' (missing values are an error unless imputation "
                       "is asked for)", attrs_[a].name));
    const Index width = slot.kind == Kind::OneHot ? static_cast<Index>(attrs_[a].values.size()) : 1;
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
      if (x != 0.0f && x != 1.0f) fail(fmt::format("label '{}': expected 0 or 1, found '{}'", attrs_[a].name, clip(v)));
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
bool ArffParser::store_fast(std::size_t a, std::string_view line, std::size_t& pos, bool in_braces, float* dense_row,
                            std::uint8_t* labels) {
  const Slot& slot = slots_[a];
  const char* begin = line.data() + pos;
  const char* end = line.data() + line.size();
  float x = 0.0f;
  const char* stop = begin;
  if (slot.kind == Kind::Numeric && end - begin >= 2 && begin[0] >= '0' && begin[0] <= '9' &&
      (begin[1] == ',' || begin[1] == '}')) {
    x = static_cast<float>(begin[0] - '0');  // one digit, as in binary sparse data
    stop = begin + 1;
  } else if (slot.kind == Kind::Numeric) {
    auto [ptr, ec] = std::from_chars(begin, end, x);
    if (ec != std::errc()) return false;
    stop = ptr;
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

void ArffParser::parse_dense_row(std::string_view line, float* features, std::uint8_t* labels) {
  const std::size_t A = attrs_.size();
  std::size_t pos = 0;
  bool quoted = false;
  for (std::size_t a = 0; a < A; ++a) {
    if (a > 0) {
      if (pos >= line.size() || line[pos] != ',')
        fail(fmt::format("expected {} values (one per attribute), found {}", A, a));
      ++pos;
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

void ArffParser::parse_sparse_row(std::string_view line, std::uint8_t* labels) {
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
      if (index >= static_cast<long long>(attrs_.size()))
        fail(fmt::format("sparse index {} out of range: expected 0 to {} (the file has {} attributes)", index,
                         attrs_.size() - 1, attrs_.size()));
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
  for (std::size_t a : nonzero_default_attrs_)
    if (stamp_[a] != row_stamp_) {
      push(slots_[a].column, 1.0f);  // Binary {1,0}: value 1; OneHot: its first value's column
      unsorted = true;
    }
  finish_sparse_row(row_start, unsorted);
}

// Close a CSR row, sorting its entries by column when they did not come in order.
void ArffParser::finish_sparse_row(Index row_start, bool unsorted) {
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

Dataset read_arff(const fs::path& path, const ReadOptions& options) {
  return ArffParser(path, options).run();
}

}  // namespace lg
