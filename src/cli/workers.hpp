#pragma once
// `--nproc N` of `labelgraph train` and `labelgraph run`: this command again as N worker
// processes on this machine, which form a process group (nets/distributed.hpp) through a file
// store in a fresh temporary folder and Gloo on the loopback interface. The launcher itself
// trains nothing; it forwards SIGINT, SIGTERM and SIGUSR1 to the workers, waits for them, and
// when one fails gives the others the process-group timeout (plus 10 s) to end before it kills
// them. One line on stderr says which worker ended how.
#include <filesystem>
#include <string>
#include <vector>

namespace lg::cli {

struct WorkerLaunch {
  std::vector<std::string> arguments;  ///< the command line after the program name, --nproc removed
  int processes = 2;                   ///< workers to start (>= 2)
  int threads_per_worker = 1;          ///< passed to each as --threads
  double timeout_seconds = 120;        ///< the process group's timeout (--dist-timeout)
};

/// The command line (argv[1..]) without `--nproc N` / `--nproc=N` and without `--threads`.
std::vector<std::string> worker_arguments(const std::vector<std::string>& arguments);

/// Start the workers, wait for them, and return the exit code: 0 when every worker succeeded;
/// a stop signal's code when they were stopped; the common code when every failed worker
/// failed with one (a bad config: 1); otherwise lg::kPeerLostExitCode (a worker died).
int launch_workers(const WorkerLaunch& launch);

/// `--nproc N` of train and run: this command (command_line_arguments()) again as N workers
/// with 1/N of `threads` (0 = all cores) each; `output` is created first, so that an unwritable
/// place fails before any worker starts. Throws CommandExit with launch_workers()' code.
[[noreturn]] void run_as_workers(int processes, int threads, double timeout_seconds,
                                 const std::filesystem::path& output);

/// Thrown by a command whose work is done with an exit code of its own (the launcher's);
/// run_cli returns `code`.
struct CommandExit {
  int code = 0;
};

/// The command line this process was started with (argv[1..]), saved by run_cli.
void set_command_line(int argc, const char* const* argv);
const std::vector<std::string>& command_line_arguments();

}  // namespace lg::cli
