#include "cli/workers.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/interrupt.hpp"
#include "core/processes.hpp"

namespace lg::cli {
namespace {

std::vector<std::string> saved_arguments;

std::string signal_name(int sig) {
  const char* name = ::strsignal(sig);
  return fmt::format("signal {} ({})", sig, name ? name : "?");
}

}  // namespace

void set_command_line(int argc, const char* const* argv) {
  saved_arguments.clear();
  for (int i = 1; i < argc; ++i) saved_arguments.emplace_back(argv[i]);
}

const std::vector<std::string>& command_line_arguments() { return saved_arguments; }

std::vector<std::string> worker_arguments(const std::vector<std::string>& arguments) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& a = arguments[i];
    if (a == "--nproc" || a == "--threads") {
      ++i;  // and its value
      continue;
    }
    if (a.rfind("--nproc=", 0) == 0 || a.rfind("--threads=", 0) == 0) continue;
    out.push_back(a);
  }
  return out;
}

int launch_workers(const WorkerLaunch& launch) {
  namespace fs = std::filesystem;
  if (launch.processes < 2) throw Error("--nproc: at least 2 processes to launch");
  char folder_template[] = "/tmp/labelgraph-nproc-XXXXXX";
  if (!::mkdtemp(folder_template))
    throw Error(fmt::format("--nproc: cannot create a temporary folder for the process group's store: {}",
                            std::strerror(errno)));
  const fs::path folder = folder_template;
  const std::string store = (folder / "store").string();

  // The launcher takes the stop signals itself (to forward them); the workers get the default
  // mask back before exec.
  sigset_t stops, previous;
  sigemptyset(&stops);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&stops, sig);
  ::sigprocmask(SIG_BLOCK, &stops, &previous);

  std::vector<pid_t> workers;
  auto kill_all = [&](int sig) {
    for (pid_t p : workers)
      if (p > 0) ::kill(p, sig);
  };
  for (int rank = 0; rank < launch.processes; ++rank) {
    std::vector<std::string> args = {"labelgraph"};
    args.insert(args.end(), launch.arguments.begin(), launch.arguments.end());
    args.push_back("--threads");
    args.push_back(std::to_string(launch.threads_per_worker));
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      kill_all(SIGKILL);
      for (pid_t p : workers) ::waitpid(p, nullptr, 0);
      ::sigprocmask(SIG_SETMASK, &previous, nullptr);
      fs::remove_all(folder);
      throw Error(fmt::format("--nproc: cannot start worker {}: {}", rank, std::strerror(err)));
    }
    if (pid == 0) {
      ::sigprocmask(SIG_SETMASK, &previous, nullptr);
      ::setenv("RANK", std::to_string(rank).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(launch.processes).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(launch.processes).c_str(), 1);
      ::setenv("LABELGRAPH_STORE_FILE", store.c_str(), 1);
      ::setenv("LABELGRAPH_LOOPBACK", "1", 1);
      if (rank > 0) ::setenv("LABELGRAPH_PROGRESS", "0", 1);  // one progress bar: rank 0's
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/proc/self/exe", argv.data());
      std::fprintf(stderr, "labelgraph: error: --nproc: cannot start worker %d: %s\n", rank, std::strerror(errno));
      std::_Exit(127);
    }
    workers.push_back(pid);
  }

  using Clock = std::chrono::steady_clock;
  std::vector<std::optional<int>> status(workers.size());
  std::optional<Clock::time_point> deadline;  // after the first failure
  int first_failed = -1, stop_signal_seen = 0;
  std::size_t running = workers.size();
  bool killed = false;
  while (running > 0) {
    const timespec tick{0, 50 * 1000 * 1000};
    const int sig = ::sigtimedwait(&stops, nullptr, &tick);
    if (sig > 0) {
      stop_signal_seen = sig;
      for (std::size_t k = 0; k < workers.size(); ++k)
        if (!status[k]) ::kill(workers[k], sig);
    }
    for (std::size_t k = 0; k < workers.size(); ++k) {
      if (status[k]) continue;
      int st = 0;
      const pid_t r = ::waitpid(workers[k], &st, WNOHANG);
      if (r != workers[k]) continue;
      status[k] = st;
      --running;
      const bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
      if (!ok && first_failed < 0) {
        first_failed = static_cast<int>(k);
        deadline = Clock::now() + std::chrono::milliseconds(
                                      static_cast<std::int64_t>((launch.timeout_seconds + 10) * 1000));
      }
    }
    if (deadline && running > 0 && Clock::now() > *deadline && !killed) {
      for (std::size_t k = 0; k < workers.size(); ++k)
        if (!status[k]) ::kill(workers[k], SIGKILL);
      killed = true;
    }
  }
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  std::error_code ec;
  fs::remove_all(folder, ec);

  if (first_failed < 0) return 0;
  const int st = *status[static_cast<std::size_t>(first_failed)];
  const std::string how = WIFSIGNALED(st) ? "was ended by " + signal_name(WTERMSIG(st))
                                          : fmt::format("exited with code {}", WEXITSTATUS(st));
  if (stop_signal_seen) return stop_exit_code(stop_signal_seen);
  // One ordinary code for every failed worker (all read the same bad config): that code.
  std::optional<int> common;
  bool one_code = true;
  for (const auto& s : status) {
    if (WIFEXITED(*s) && WEXITSTATUS(*s) == 0) continue;
    const int code = WIFEXITED(*s) ? WEXITSTATUS(*s) : -1;
    if (!common) common = code;
    one_code = one_code && code == *common && code > 0 && code != kPeerLostExitCode;
  }
  if (one_code && common && std::all_of(status.begin(), status.end(), [](const auto& s) {
        return !(WIFEXITED(*s) && WEXITSTATUS(*s) == 0);
      }))
    return *common;
  std::fprintf(stderr, "labelgraph: error: worker %d of %d %s%s; the training of %d processes failed\n",
               first_failed, launch.processes, how.c_str(),
               killed ? fmt::format(" (the workers still running after {} s were killed)",
                                    launch.timeout_seconds + 10).c_str() : "",
               launch.processes);
  return kPeerLostExitCode;
}

void run_as_workers(int processes, int threads, double timeout_seconds, const std::filesystem::path& output) {
  WorkerLaunch launch;
  launch.arguments = worker_arguments(command_line_arguments());
  launch.processes = processes;
  launch.threads_per_worker = std::max(1, resolve_threads(threads) / processes);
  launch.timeout_seconds = timeout_seconds;
  create_output_folder(output);
  throw CommandExit{launch_workers(launch)};
}

}  // namespace lg::cli
