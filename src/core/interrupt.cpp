#include "core/interrupt.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

namespace lg {
namespace {

// Fixed storage the handler can read without allocating. A slot's state: 0 free, 1 being
// filled or emptied, 2 holds a path to remove.
constexpr std::size_t kSlots = 256;
constexpr std::size_t kPathBytes = 4096;
struct Slot {
  std::atomic<int> state{0};
  char path[kPathBytes];
};
std::array<Slot, kSlots> slots;
char output_description[1024] = "";
std::atomic<bool> installed{false};
std::atomic<int> deferred_scopes{0};
std::atomic<int> requested_signal{0};

void write_all(const char* text) {
  std::size_t n = std::strlen(text);
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<std::size_t>(w);
  }
}

const char* name_of(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    default: return "a signal";
  }
}

extern "C" void on_signal(int signal_number) {
  // Async-signal-safe only: atomics, unlink, write, _exit.
  if (deferred_scopes.load() > 0) {
    int none = 0;
    if (requested_signal.compare_exchange_strong(none, signal_number)) {
      write_all("\nlabelgraph: ");
      write_all(name_of(signal_number));
      write_all(": saving the training state, then stopping (send it again to stop at once)\n");
      return;
    }
  }
  std::size_t removed = 0;
  for (Slot& s : slots)
    if (s.state.load(std::memory_order_acquire) == 2 && ::unlink(s.path) == 0) ++removed;
  // A progress bar may own the line: start a new one.
  write_all("\nlabelgraph: error: ");
  write_all(signal_number == SIGINT    ? "interrupted (SIGINT)"
            : signal_number == SIGUSR1 ? "stopped for a requeue (SIGUSR1)"
                                       : "terminated (SIGTERM)");
  if (output_description[0] != '\0') {
    write_all(" while writing ");
    write_all(output_description);
  }
  write_all(removed > 0 ? "; unfinished files removed, finished files kept\n"
                        : "; finished files kept\n");
  ::_exit(stop_exit_code(signal_number));
}

}  // namespace

int stop_exit_code(int signal_number) {
  return signal_number == SIGINT ? kExitInterrupted
         : signal_number == SIGUSR1 ? kExitRequeue
                                    : kExitTerminated;
}

DeferredStop::DeferredStop() { deferred_scopes.fetch_add(1); }
DeferredStop::~DeferredStop() { deferred_scopes.fetch_sub(1); }

bool stop_requested() { return requested_signal.load() != 0; }
int stop_signal() { return requested_signal.load(); }
void request_stop(int signal_number) {
  int none = 0;
  requested_signal.compare_exchange_strong(none, signal_number);
}
void clear_stop_request() { requested_signal.store(0); }
const char* signal_name(int signal_number) { return name_of(signal_number); }

void install_interrupt_handlers() {
  if (installed.exchange(true)) return;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGUSR1);
  // A deferred stop returns from the handler: interrupted system calls go on.
  action.sa_flags = SA_RESTART;
  // A signal the parent ignores stays ignored (nohup, `cmd &` in a script), as shells expect.
  for (const int signal_number : {SIGINT, SIGTERM, SIGUSR1}) {
    struct sigaction old {};
    if (sigaction(signal_number, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(signal_number, &action, nullptr);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGXFSZ, &ignore, nullptr);
}

void set_output_description(const std::string& what) {
  // Not atomic with a concurrent signal: at worst the message shows a mix of two names.
  const std::size_t n = std::min(what.size(), sizeof output_description - 1);
  std::memcpy(output_description, what.data(), n);
  output_description[n] = '\0';
}

int register_temporary(const std::filesystem::path& path) {
  const std::string text = path.string();
  if (text.size() >= kPathBytes) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (!slots[i].state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
    std::memcpy(slots[i].path, text.c_str(), text.size() + 1);
    slots[i].state.store(2, std::memory_order_release);
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_temporary(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return;
  slots[static_cast<std::size_t>(slot)].state.store(0, std::memory_order_release);
}

std::string describe_write_errno(int error_number) {
  std::string text = std::strerror(error_number);
  switch (error_number) {
    case EFBIG: return text + " (beyond the file-size limit, see `ulimit -f`)";
    case ENOSPC: return text + " (the disk is full)";
    case EDQUOT: return text + " (the disk quota is used up)";
    case EROFS: return text + " (a read-only file system)";
    case EACCES:
    case EPERM: return text + " (no permission to write there)";
    case ENOTDIR: return text + " (a file stands where the path needs a folder)";
    default: return text;
  }
}

}  // namespace lg
