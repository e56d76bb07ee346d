#pragma once
// Shared pieces of the libFuzzer targets in tests/fuzz (see bench/README.md, "Fuzzing").
//
// The readers take file paths, so each target writes its input to a file first: one folder
// per process under $LABELGRAPH_FUZZ_TMP (bench/fuzz.sh points it at a folder of its own in
// /dev/shm), else /dev/shm, else the system temporary folder. The file keeps the extension
// the reader dispatches on (.npy, .csv, ...).
//
// An lg::Error naming the input file is the wanted outcome for bad input; another exception
// type escaping a reader, an error that does not name the file, a sanitizer report, a hang or
// a leak are findings (the targets let exceptions escape: libFuzzer reports them as crashes).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <filesystem>
#include <string>

#include "core/error.hpp"

namespace lg::fuzz {

/// The fuzz input as a file `name` in a per-process folder, removed at exit.
class InputFile {
 public:
  explicit InputFile(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path base;
    if (const char* env = std::getenv("LABELGRAPH_FUZZ_TMP"); env && *env) base = env;
    else if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0) base = "/dev/shm";
    else base = fs::temp_directory_path();
    dir_ = base / ("labelgraph-fuzz-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    path_ = dir_ / name;
  }
  ~InputFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replace the file's content by `data`; returns its path.
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

/// Run one read of `file`. An lg::Error that names the file is the expected outcome for bad
/// input: it is swallowed (returns false). An lg::Error that does not name the file becomes a
/// std::logic_error; any other exception passes through. Both are findings.
template <class F>
bool read_or_named_error(const std::filesystem::path& file, F&& read) {
  try {
    read();
    return true;
  } catch (const lg::Error& e) {
    if (std::string(e.what()).find(file.string()) == std::string::npos)
      throw std::logic_error("an lg::Error that does not name the input file " + file.string() +
                             ": " + e.what());
    return false;
  }
}

}  // namespace lg::fuzz
