#pragma once
// The finished cells of an output folder, keyed by content, and the claims of running ones.
//
//   cells/<key>.json   a finished cell: its key, what the key was computed from, and the whole
//                      CellResult (every measure, per-label and per-bucket figures, the
//                      training history, notes, timings). Written atomically (a temporary name,
//                      then rename), so a file is complete or absent; one that does not parse,
//                      lacks a field or holds another key is "damaged" and its cell is redone.
//   cells/<key>/       the work folder of a running cell: `claim` (a lock) and a neural
//                      cell's `state.pt` (its training state, core/train_session.hpp).
//
// Claims: a process runs a cell only while it holds a POSIX record lock (fcntl F_SETLK) on
// cells/<key>/claim. The kernel drops the lock when the process ends in any way (SIGKILL and
// out-of-memory kills included), so a dead process's claim never blocks a cell; on NFS the
// lock manager does the same for a dead client. After taking the lock the claimant looks for
// the finished file again (another process may have finished the cell in between), and the
// finished file is written before the lock is released, so no cell is ever run twice at the
// same time nor after it is done. The output folder must be on a file system with POSIX
// locks (local disks, NFSv3 with lockd, NFSv4, Lustre mounted with -o flock).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "experiment/cell.hpp"

namespace lg {

/// A finished cell's file, whole, as JSON text; `description` is the text the key hashes.
std::string cell_record_json(const std::string& key, const std::string& description,
                             const CellResult& cell);
/// The CellResult of a record; throws lg::Error naming `file` and the missing or bad field.
/// `key` (when not empty) must equal the record's.
CellResult cell_from_record(const std::string& text, const std::string& key,
                            const std::string& file);

/// A held claim on a cell; releasing it (destruction) removes the claim file and, when it is
/// empty, the work folder. Not copyable.
class CellClaim {
 public:
  CellClaim(int fd, std::filesystem::path dir);
  ~CellClaim();
  CellClaim(const CellClaim&) = delete;
  CellClaim& operator=(const CellClaim&) = delete;
  /// The cell's work folder (cells/<key>/).
  const std::filesystem::path& dir() const { return dir_; }

 private:
  int fd_;
  std::filesystem::path dir_;
};

class CellStore {
 public:
  explicit CellStore(std::filesystem::path output_dir);

  enum class State { Done, Missing, Damaged };
  struct Lookup {
    State state = State::Missing;
    std::optional<CellResult> cell;  ///< when Done
    std::string why;                 ///< when Damaged: what is wrong with the file
  };
  /// The finished cell under `key`, if its file is there and sound.
  Lookup find(const std::string& key) const;
  /// The bytes of cells/<key>.json, nullopt when it cannot be opened (absent).
  std::optional<std::string> text(const std::string& key) const;
  /// Write cells/<key>.json atomically.
  void save(const std::string& key, const std::string& description, const CellResult& cell) const;
  /// Claim the cell: nullptr when another live process holds it. Throws lg::Error when the
  /// work folder or claim file cannot be made (naming the path).
  std::unique_ptr<CellClaim> try_claim(const std::string& key) const;
  /// The process id holding the cell's claim, 0 when none.
  long claimant(const std::string& key) const;

  std::filesystem::path file(const std::string& key) const;      ///< cells/<key>.json
  std::filesystem::path work_dir(const std::string& key) const;  ///< cells/<key>/
  const std::filesystem::path& dir() const { return dir_; }      ///< cells/

 private:
  std::filesystem::path dir_;
};

}  // namespace lg
