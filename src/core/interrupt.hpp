#pragma once
// What happens when a command is stopped from outside or its output cannot be written.
//
// SIGINT and SIGTERM end a command at once with one line on stderr naming the signal and what
// was being written, and exit code 130 (SIGINT) or 143 (SIGTERM). Nothing half-written stays:
// every output goes through AtomicFile (a temporary name, renamed into place when complete),
// and the handler removes the temporary files that are open. Finished files stay.
// SIGXFSZ (a write beyond `ulimit -f`) is ignored, so the write fails with EFBIG and the
// writer reports it like a full disk instead of the process dying without a word.
#include <filesystem>
#include <string>

namespace lg {

/// Exit codes of a command stopped by SIGINT / SIGTERM (the shell's 128 + signal number).
constexpr int kExitInterrupted = 130;
constexpr int kExitTerminated = 143;

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
