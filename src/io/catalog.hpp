#pragma once
// Known data sets: the descriptors in datasets/*.toml (one per shared set), where their files
// live (LABELGRAPH_DATA), checking them (sha256) and downloading them (libcurl).
// datasets/README.md documents the descriptor format.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lg {

/// How the labels of a data set are declared in its files.
enum class DataFormat {
  ArffMulan,   ///< ARFF + MULAN label XML (`label_xml`)
  ArffMeka,    ///< ARFF with `-C n` in @relation (`label_count`)
  MlgcnGraph,  ///< a label graph (co-occurrence counts, embeddings), no instances
};
const char* to_string(DataFormat format);

/// How a file is stored at its URL. The checksum is always of the file as stored locally.
enum class Compression { None, Bz2 };

struct CatalogFile {
  std::string path;          ///< relative to the data directory, '/'-separated
  std::string role;          ///< train, test, full, labels, graph, embedding, ... (see README)
  std::uint64_t bytes = 0;   ///< size of the local (decompressed) file
  std::string sha256;        ///< lower-case hex digest of the local (decompressed) file
  std::string url;           ///< where to download it; empty for derived files
  Compression compression = Compression::None;  ///< of the download
  std::string derived_from;  ///< for files written locally from others: what from
  std::string note;          ///< free text
};

struct DataSource {
  std::string repository;  ///< upstream repository address (as the shared README gives it)
  std::string folder;      ///< folder inside the repository
  std::string homepage;    ///< optional project page
};

struct Descriptor {
  std::string name;
  std::string description;
  DataFormat format = DataFormat::ArffMulan;
  std::string label_xml;           ///< arff-mulan: the XML, relative to the data directory
  std::optional<int> label_count;  ///< arff-meka: the `-C` value (MEKA sign convention)
  std::optional<std::int64_t> labels, features, rows;  ///< sizes, when known
  std::string citation;
  DataSource source;
  std::vector<CatalogFile> files;
  std::filesystem::path origin;  ///< the descriptor file it was read from

  /// Files with the given role, in descriptor order.
  std::vector<const CatalogFile*> files_with_role(const std::string& role) const;
  /// The data files a command reads for this set: train + test, else full. Empty for graphs.
  std::vector<const CatalogFile*> data_files() const;
};

/// LABELGRAPH_DATA, default <source>/../shared/datasets.
std::filesystem::path data_dir();
/// LABELGRAPH_DESCRIPTORS, default <source>/datasets.
std::filesystem::path descriptor_dir();

/// Parse one descriptor. Throws lg::Error naming the file (and the line, where there is one)
/// on a syntax error, an unknown key, a wrong type or a missing required key.
Descriptor parse_descriptor(const std::filesystem::path& file);
/// Every *.toml in `dir`, sorted by name. Throws on the first bad descriptor.
std::vector<Descriptor> load_catalog(const std::filesystem::path& dir = descriptor_dir());
/// The descriptor `dir/NAME.toml`, or nullopt when there is none.
std::optional<Descriptor> find_descriptor(const std::string& name,
                                          const std::filesystem::path& dir = descriptor_dir());

/// Lower-case hex SHA-256 of a file, read in chunks. Throws lg::Error if it cannot be read.
std::string sha256_file(const std::filesystem::path& file);
/// Lower-case hex SHA-256 of bytes in memory.
std::string sha256_text(std::string_view text);

enum class FileStatus { Ok, Missing, SizeMismatch, ChecksumMismatch };
const char* to_string(FileStatus status);

struct FileCheck {
  CatalogFile file;
  std::filesystem::path where;  ///< the local path that was checked
  FileStatus status = FileStatus::Missing;
  std::uint64_t actual_bytes = 0;
  std::string actual_sha256;  ///< set when the size matched and the sum was computed
};

/// Check each file of `d` under `root`: presence, then size, then checksum.
std::vector<FileCheck> verify(const Descriptor& d, const std::filesystem::path& root = data_dir());

struct FetchOptions {
  bool progress = true;       ///< progress bar on stderr (drawn only when it is a terminal)
  long connect_timeout_s = 20;
  long stall_timeout_s = 60;  ///< abort when under 1 byte/s for this long
};

enum class FetchAction { Downloaded, AlreadyPresent, NotDownloadable };
struct FetchedFile {
  CatalogFile file;
  std::filesystem::path where;
  FetchAction action = FetchAction::Downloaded;
};

/// Download every file of `d` with a URL into `to/<path>`, skipping files already present and
/// matching. Each download goes to a temporary name, is decompressed if the descriptor says so,
/// checked against its size and sha256 and only then renamed into place. Throws lg::Error
/// naming the URL on a network error or a mismatch (and leaves no partial file behind).
/// Derived files (no URL) are reported as NotDownloadable.
std::vector<FetchedFile> fetch(const Descriptor& d, const std::filesystem::path& to,
                               const FetchOptions& options = {});

}  // namespace lg
