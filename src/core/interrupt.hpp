#pragma once
// What happens when a command is stopped from outside or its output cannot be written.
//
// SIGINT and SIGTERM end a command at once with one line on stderr naming the signal and what
// was being written, and exit code 130 (SIGINT) or 143 (SIGTERM). Nothing half-written stays:
// every output goes through AtomicFile (a temporary name, renamed into place when complete),
// and the handler removes the temporary files that are open. Finished files stay.
// SIGXFSZ (a write beyond `ulimit -f`) is ignored, so the write fails with EFBIG and the
// writer reports it like a full disk instead of the process dying without a word.
//
// SIGUSR1 (what Slurm's `--signal=USR1@SECONDS` sends before a job's time limit) ends a
// command the same way with exit code 75 (kExitRequeue): "state saved, run the same command
// again" for a requeue script.
//
// Deferred stops: while a DeferredStop object lives (a training that can save its state), the
// three signals do not end the process. The handler sets a flag (stop_requested()), the code
// saves its state at its next safe point (a batch boundary) and throws Stopped, which the CLI
// turns into one line and the signal's exit code. A second signal ends the process at once.
#include <exception>
#include <filesystem>
#include <string>

namespace lg {

/// Exit codes of a command stopped by SIGINT / SIGTERM (the shell's 128 + signal number).
constexpr int kExitInterrupted = 130;
constexpr int kExitTerminated = 143;
/// Exit code of a command stopped by SIGUSR1 (sysexits' EX_TEMPFAIL): what was finished and the
/// running training's state are saved; the same command continues (a requeue script resubmits).
constexpr int kExitRequeue = 75;

/// The exit code for a stop by `signal_number`: SIGINT 130, SIGTERM 143, SIGUSR1 75.
int stop_exit_code(int signal_number);

/// Thrown once the code inside a DeferredStop scope has saved its state after a stop signal.
/// The CLI prints what() on stderr and exits with exit_code().
class Stopped : public std::exception {
 public:
  Stopped(int signal_number, std::string message)
      : signal_(signal_number), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  int signal_number() const { return signal_; }
  int exit_code() const { return stop_exit_code(signal_); }

 private:
  int signal_;
  std::string message_;
};

/// While at least one lives (nested scopes count), SIGINT, SIGTERM and SIGUSR1 only set the
/// stop flag (one line on stderr says the state is being saved). Not copyable.
class DeferredStop {
 public:
  DeferredStop();
  ~DeferredStop();
  DeferredStop(const DeferredStop&) = delete;
  DeferredStop& operator=(const DeferredStop&) = delete;
};

/// Whether a stop signal arrived while a DeferredStop scope was alive (or request_stop ran).
bool stop_requested();
/// The signal that asked for the stop (SIGINT, SIGTERM, SIGUSR1), 0 when none.
int stop_signal();
/// Ask for a stop as the signal would inside a DeferredStop scope (for tests).
void request_stop(int signal_number);
/// Forget a stop request (for tests: one process runs several stopped trainings).
void clear_stop_request();
/// The signal's name for messages: "SIGINT", "SIGTERM", "SIGUSR1".
const char* signal_name(int signal_number);

/// Install the handlers (idempotent). The CLI calls it before any command runs.
void install_interrupt_handlers();

/// What the command is writing, for the signal's message ("results/quickstart"); the last
/// call wins. Copied into a fixed buffer that the handler reads.
void set_output_description(const std::string& what);

/// Register a temporary file for removal by the handler; returns a slot for unregister (-1
/// when every slot is taken: the file is then only removed by its owner).
int register_temporary(const std::filesystem::path& path);
void unregister_temporary(int slot);

/// errno as text for an output error: strerror plus what it usually means here (EFBIG: the
/// file-size limit of `ulimit -f`; ENOSPC: the disk is full; EROFS, EACCES ...).
std::string describe_write_errno(int error_number);

}  // namespace lg
