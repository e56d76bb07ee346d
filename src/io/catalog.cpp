#include "io/catalog.hpp"

#include <bzlib.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>

#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/toml_reader.hpp"

namespace lg {
namespace fs = std::filesystem;

const char* to_string(DataFormat format) {
  switch (format) {
    case DataFormat::ArffMulan: return "arff-mulan";
    case DataFormat::ArffMeka: return "arff-meka";
    case DataFormat::MlgcnGraph: return "mlgcn-graph";
  }
  return "?";
}

const char* to_string(FileStatus status) {
  switch (status) {
    case FileStatus::Ok: return "ok";
    case FileStatus::Missing: return "missing";
    case FileStatus::SizeMismatch: return "size mismatch";
    case FileStatus::ChecksumMismatch: return "checksum mismatch";
  }
  return "?";
}

std::vector<const CatalogFile*> Descriptor::files_with_role(const std::string& role) const {
  std::vector<const CatalogFile*> out;
  for (const CatalogFile& f : files)
    if (f.role == role) out.push_back(&f);
  return out;
}

std::vector<const CatalogFile*> Descriptor::data_files() const {
  std::vector<const CatalogFile*> out = files_with_role("train");
  const auto test = files_with_role("test");
  if (!out.empty() && !test.empty()) {
    out.insert(out.end(), test.begin(), test.end());
    return out;
  }
  return files_with_role("full");
}

// ---- locations ----

namespace {
fs::path env_or(const char* name, const fs::path& fallback) {
  if (const char* v = std::getenv(name); v && *v) return fs::path(v);
  return fallback.lexically_normal();
}
}  // namespace

fs::path data_dir() {
  return env_or("LABELGRAPH_DATA", source_dir() / ".." / "shared" / "datasets");
}

fs::path descriptor_dir() {
  return env_or("LABELGRAPH_DESCRIPTORS", source_dir() / "datasets");
}

// ---- descriptor parsing ----

namespace {

const std::set<std::string> kRoles = {"train", "test",  "full",         "labels",      "graph",
                                      "embedding", "label-counts", "label-names", "other"};

// A path inside the data directory: relative, no '..', so fetch cannot write outside --to.
bool safe_relative(const std::string& p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string::npos) return false;
  for (const fs::path& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

bool is_sha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

CatalogFile parse_file_entry(const toml::table& t, const std::string& file) {
  TomlTableReader r(t, file, "[[files]]");
  CatalogFile f;
  r.read("path", f.path);
  r.read("role", f.role);
  const bool has_bytes = r.read("bytes", f.bytes);
  r.read("sha256", f.sha256);
  r.read("url", f.url);
  r.read("derived_from", f.derived_from);
  r.read("note", f.note);
  std::string compression = "none";
  r.read("compression", compression);
  if (compression == "bz2") f.compression = Compression::Bz2;
  else if (compression != "none")
    r.fail("compression", fmt::format("compression '{}': expected \"bz2\" or \"none\"", compression));
  r.reject_unknown_keys();

  if (f.path.empty()) r.fail("[[files]] entry without 'path'");
  if (!safe_relative(f.path))
    r.fail(fmt::format("path '{}' must be relative to the data directory, without '..'", f.path));
  if (!kRoles.count(f.role))
    r.fail(fmt::format("file '{}': role '{}' is not one of train, test, full, labels, graph, "
                       "embedding, label-counts, label-names, other", f.path, f.role));
  if (!has_bytes) r.fail(fmt::format("file '{}' has no 'bytes'", f.path));
  if (!is_sha256(f.sha256)) r.fail(fmt::format("file '{}': 'sha256' must be 64 lower-case hex digits", f.path));
  if (f.url.empty() == f.derived_from.empty())
    r.fail(fmt::format("file '{}' needs exactly one of 'url' (downloadable) or 'derived_from' "
                       "(written locally)", f.path));
  if (f.compression != Compression::None && f.url.empty())
    r.fail(fmt::format("file '{}': 'compression' applies to a download only", f.path));
  return f;
}

DataSource parse_source(const toml::table& t, const std::string& file) {
  TomlTableReader r(t, file, "[source]");
  DataSource s;
  r.read("repository", s.repository);
  r.read("folder", s.folder);
  r.read("homepage", s.homepage);
  r.reject_unknown_keys();
  if (s.repository.empty()) r.fail("[source] needs 'repository'");
  return s;
}

}  // namespace

Descriptor parse_descriptor(const fs::path& file) {
  if (!fs::is_regular_file(file)) throw Error(file.string(), 0, "descriptor not found");
  const toml::table root = parse_toml_file(file);
  TomlTableReader r(root, file.string(), "the descriptor");

  Descriptor d;
  d.origin = file;
  r.read("name", d.name);
  r.read("description", d.description);
  r.read("citation", d.citation);
  r.read("label_xml", d.label_xml);
  if (r.read("label_count", d.label_count) && (*d.label_count == 0 || std::abs(*d.label_count) > 1'000'000))
    r.fail("label_count", "'label_count' must be a non-zero -C value (n > 0: first n, n < 0: last n)");
  std::optional<std::uint64_t> labels, features, rows;
  r.read("labels", labels);
  r.read("features", features);
  r.read("rows", rows);
  if (labels) d.labels = static_cast<std::int64_t>(*labels);
  if (features) d.features = static_cast<std::int64_t>(*features);
  if (rows) d.rows = static_cast<std::int64_t>(*rows);
  std::string format;
  const bool has_format = r.read("format", format);
  if (format == "arff-mulan") d.format = DataFormat::ArffMulan;
  else if (format == "arff-meka") d.format = DataFormat::ArffMeka;
  else if (format == "mlgcn-graph") d.format = DataFormat::MlgcnGraph;
  else if (has_format)
    r.fail("format", fmt::format("format '{}': expected arff-mulan, arff-meka or mlgcn-graph", format));
  if (const toml::table* source = r.table("source")) d.source = parse_source(*source, r.file());
  if (const toml::array* files = r.tables("files"))
    for (const toml::node& entry : *files) d.files.push_back(parse_file_entry(*entry.as_table(), r.file()));
  r.reject_unknown_keys();

  if (d.name.empty()) r.fail("descriptor without 'name'");
  if (d.name != file.stem().string())
    r.fail(fmt::format("name '{}' must equal the file name without .toml ('{}')", d.name,
                            file.stem().string()));
  if (!has_format) r.fail("descriptor without 'format'");
  if (d.source.repository.empty()) r.fail("descriptor without [source] repository");
  if (d.files.empty()) r.fail("descriptor without [[files]]");
  if (d.format == DataFormat::ArffMulan && d.label_xml.empty())
    r.fail("format arff-mulan needs 'label_xml' (the MULAN label file)");
  if (d.format == DataFormat::ArffMeka && !d.label_count)
    r.fail("format arff-meka needs 'label_count' (the -C value)");
  if (!d.label_xml.empty() && !safe_relative(d.label_xml))
    r.fail(fmt::format("label_xml '{}' must be relative to the data directory", d.label_xml));
  if (d.format != DataFormat::MlgcnGraph && d.data_files().empty())
    r.fail("a data set needs files with role train and test, or full");
  std::set<std::string> seen;
  for (const CatalogFile& f : d.files)
    if (!seen.insert(f.path).second) r.fail(fmt::format("file '{}' listed twice", f.path));
  return d;
}

std::vector<Descriptor> load_catalog(const fs::path& dir) {
  if (!fs::is_directory(dir))
    throw Error(dir.string(), 0, "descriptor folder not found (set LABELGRAPH_DESCRIPTORS)");
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Descriptor> out;
  for (const fs::path& f : files) out.push_back(parse_descriptor(f));
  return out;
}

std::optional<Descriptor> find_descriptor(const std::string& name, const fs::path& dir) {
  // Only plain names can be descriptors; anything path-like is not looked up.
  if (name.empty() || name.find_first_of("/\\") != std::string::npos || name[0] == '.')
    return std::nullopt;
  const fs::path file = dir / (name + ".toml");
  if (!fs::is_regular_file(file)) return std::nullopt;
  return parse_descriptor(file);
}

// ---- checksums ----

std::string sha256_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string(), 0, "cannot open file for its checksum");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error("OpenSSL: cannot initialise SHA-256");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(got));
  }
  if (in.bad()) throw Error(file.string(), 0, "read error while computing its checksum");
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::string sha256_text(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
    throw Error("OpenSSL: cannot compute SHA-256");
  static const char* digits = "0123456789abcdef";
  std::string hex(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  return hex;
}

std::vector<FileCheck> verify(const Descriptor& d, const fs::path& root) {
  std::vector<FileCheck> out;
  for (const CatalogFile& f : d.files) {
    FileCheck c;
    c.file = f;
    c.where = root / f.path;
    std::error_code ec;
    if (!fs::is_regular_file(c.where, ec)) {
      c.status = FileStatus::Missing;
    } else {
      c.actual_bytes = fs::file_size(c.where);
      if (c.actual_bytes != f.bytes) {
        c.status = FileStatus::SizeMismatch;
      } else {
        c.actual_sha256 = sha256_file(c.where);
        c.status = c.actual_sha256 == f.sha256 ? FileStatus::Ok : FileStatus::ChecksumMismatch;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// ---- download ----

namespace {

// Where the bytes of one download go: straight to the file, or through bzip2 first.
struct Sink {
  std::ostream* out = nullptr;
  bool bz2 = false;
  bz_stream bz{};
  bool bz_open = false;
  bool bz_done = false;  // saw the end of a stream (the file may hold several)
  std::string error;     // why the write callback stopped the transfer
  std::uint64_t written = 0;
  ProgressBar* progress = nullptr;  // counts bytes written (the descriptor knows the total)

  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() {
    if (bz_open) BZ2_bzDecompressEnd(&bz);
  }

  bool write(const char* data, std::size_t n) {
    out->write(data, static_cast<std::streamsize>(n));
    if (!*out) {
      error = "cannot write the temporary file (disk full?)";
      return false;
    }
    written += n;
    if (progress) progress->set(written);
    return true;
  }

  bool feed_bz2(char* data, std::size_t n) {
    std::array<char, 1 << 16> buf;
    bz.next_in = data;
    bz.avail_in = static_cast<unsigned int>(n);
    while (bz.avail_in > 0) {
      if (!bz_open) {  // first stream, or the next one of a concatenated file
        char* rest = bz.next_in;
        const unsigned int left = bz.avail_in;
        bz = bz_stream{};
        if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) { error = "bzip2: cannot initialise"; return false; }
        bz.next_in = rest;
        bz.avail_in = left;
        bz_open = true;
        bz_done = false;
      }
      bz.next_out = buf.data();
      bz.avail_out = static_cast<unsigned int>(buf.size());
      const int rc = BZ2_bzDecompress(&bz);
      if (rc != BZ_OK && rc != BZ_STREAM_END) {
        error = fmt::format("bzip2: not a bzip2 file or corrupt data (code {})", rc);
        return false;
      }
      if (!write(buf.data(), buf.size() - bz.avail_out)) return false;
      if (rc == BZ_STREAM_END) {
        BZ2_bzDecompressEnd(&bz);  // keeps next_in / avail_in: the rest is the next stream
        bz_open = false;
        bz_done = true;
      }
    }
    return true;
  }

  // Output still buffered inside bzip2 after the last input byte.
  bool flush_bz2() {
    std::array<char, 1 << 16> buf;
    while (bz_open) {
      bz.next_in = nullptr;
      bz.avail_in = 0;
      bz.next_out = buf.data();
      bz.avail_out = static_cast<unsigned int>(buf.size());
      const int rc = BZ2_bzDecompress(&bz);
      if (rc != BZ_OK && rc != BZ_STREAM_END) { error = "bzip2: corrupt data"; return false; }
      const std::size_t produced = buf.size() - bz.avail_out;
      if (!write(buf.data(), produced)) return false;
      if (rc == BZ_STREAM_END) {
        BZ2_bzDecompressEnd(&bz);
        bz_open = false;
        bz_done = true;
      } else if (produced == 0) {
        error = "bzip2: the download ends in the middle of a stream";
        return false;
      }
    }
    if (!bz_done) { error = "bzip2: empty download"; return false; }
    return true;
  }
};

std::size_t on_data(char* data, std::size_t size, std::size_t n, void* user) {
  Sink& s = *static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  const bool ok = s.bz2 ? s.feed_bz2(data, bytes) : s.write(data, bytes);
  return ok ? bytes : 0;  // anything else makes curl stop with CURLE_WRITE_ERROR
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Download `f.url` into `out` (decompressing per the descriptor). Throws lg::Error naming the URL.
void download(const CatalogFile& f, std::ostream& out, const FetchOptions& options) {
  curl_init_once();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error(f.url, 0, "libcurl: cannot create a handle");
  Sink sink;
  sink.out = &out;
  sink.bz2 = f.compression == Compression::Bz2;
  std::optional<ProgressBar> bar;  // silent unless stderr is a terminal
  if (options.progress) {
    bar.emplace("  " + fs::path(f.path).filename().string(), f.bytes);
    sink.progress = &*bar;
  }

  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, f.url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);  // HTTP >= 400 is an error, not a body
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(h, CURLOPT_USERAGENT, "labelgraph/" LABELGRAPH_VERSION);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  // A stalled transfer ends instead of hanging: under 1 byte/s for stall_timeout_s.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  const CURLcode rc = curl_easy_perform(h);
  const bool ok = rc == CURLE_OK && (!sink.bz2 || sink.flush_bz2());
  if (bar) bar->finish();
  if (ok) return;
  const std::string why = !sink.error.empty() ? sink.error : (*errbuf ? errbuf : curl_easy_strerror(rc));
  throw Error(f.url, 0, "download failed: " + why);
}

bool present_and_matching(const CatalogFile& f, const fs::path& where) {
  std::error_code ec;
  return fs::is_regular_file(where, ec) && fs::file_size(where) == f.bytes &&
         sha256_file(where) == f.sha256;
}

}  // namespace

std::vector<FetchedFile> fetch(const Descriptor& d, const fs::path& to, const FetchOptions& options) {
  std::vector<FetchedFile> out;
  for (const CatalogFile& f : d.files) {
    FetchedFile r{f, to / f.path, FetchAction::Downloaded};
    if (present_and_matching(f, r.where)) {
      r.action = FetchAction::AlreadyPresent;
    } else if (f.url.empty()) {
      r.action = FetchAction::NotDownloadable;
    } else {
      AtomicFile file(r.where);  // a temporary name, removed unless committed
      download(f, file.stream(), options);
      file.stream().flush();
      const std::uint64_t size = fs::file_size(file.temporary_path());
      if (size != f.bytes)
        throw Error(f.url, 0, fmt::format("size mismatch: expected {} bytes for {}, got {} "
                                          "(download discarded)", f.bytes, f.path, size));
      const std::string sum = sha256_file(file.temporary_path());
      if (sum != f.sha256)
        throw Error(f.url, 0, fmt::format("checksum mismatch for {}: expected sha256 {}, got {} "
                                          "(download discarded)", f.path, f.sha256, sum));
      file.commit();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace lg
