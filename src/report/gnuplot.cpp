// gnuplot as a child process, and the four files of a figure (see gnuplot.hpp).
#include "report/gnuplot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_text.hpp"
#include "core/interrupt.hpp"

extern char** environ;  // NOLINT: POSIX; handed to gnuplot so it sees our PATH, locale, ...

namespace lg::report {

namespace fs = std::filesystem;

std::string gnuplot_text(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    switch (c) {
      case '\'': out += "''"; break;
      case '\\': case '&': case '^': case '_': case '@': case '~': case '{': case '}':
        out += '\\';
        out += c;
        break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
    }
  }
  return out + "'";
}

std::string gnuplot_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "NaN"; }

std::string series_colour(std::size_t i) {
  static const char* const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[i % 10];
}

std::string find_gnuplot() {
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    // An empty entry means the current folder, as for the shell.
    const std::string folder = end > start ? path.substr(start, end - start) : ".";
    const std::string candidate = folder + "/gnuplot";
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

namespace {

// Temporary files removed when done, and by the SIGINT / SIGTERM handler (core/interrupt).
struct TempFiles {
  std::vector<fs::path> paths;
  std::vector<int> slots;
  fs::path add(const fs::path& target, const std::string& ext) {
    std::random_device rd;
    fs::path p = target;
    p += temporary_suffix() + std::to_string(rd()) + ext;
    paths.push_back(p);
    slots.push_back(register_temporary(p));
    return p;
  }
  ~TempFiles() {
    for (const fs::path& p : paths) {
      std::error_code ec;
      fs::remove(p, ec);
    }
    for (int slot : slots) unregister_temporary(slot);
  }
};

struct ChildResult {
  int status = 0;      ///< waitpid status
  std::string output;  ///< stdout and stderr together
};

/// Run `argv` with stdin from /dev/null and stdout + stderr captured.
ChildResult run_child(const std::vector<std::string>& args, const std::string& what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw Error(fmt::format("{}: cannot create a pipe: {}", what, std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw Error(fmt::format("{}: cannot start {}: {}", what, args[0], std::strerror(rc)));
  }
  ChildResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  while (::waitpid(pid, &result.status, 0) < 0) {
    if (errno != EINTR)
      throw Error(fmt::format("{}: cannot wait for {}: {}", what, args[0], std::strerror(errno)));
  }
  return result;
}

/// Throws unless `path` exists and is not empty.
void check_written(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size == 0) {
    std::string kind = path.extension().string().substr(path.extension().empty() ? 0 : 1);
    for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    throw Error(fmt::format("{}: gnuplot exited normally but wrote no {}", what,
                            kind.empty() ? std::string("output") : kind));
  }
}

void rename_into_place(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw Error(to.string(), 0, "cannot rename the finished file into place: " + ec.message());
}

std::string quoted_file_name(const std::string& name) {
  std::string out = "'";
  for (const char c : name) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// Whether the file at `path` holds exactly `text` (false when it cannot be read).
bool same_content(const fs::path& path, const std::string& text) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size != text.size()) return false;
  try {
    return try_read_file(path) == text;
  } catch (const Error&) {
    return false;
  }
}

/// Each line of `text` indented by two spaces (inside the script's do-for block).
std::string indented(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && c != '\n') out += "  ";
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

void run_gnuplot(const fs::path& script, const std::vector<std::string>& args,
                 const std::string& what) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) throw Error(what + ": gnuplot not found (Debian package gnuplot-nox)");
  std::vector<std::string> argv = {gnuplot, "-c", script.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildResult child = run_child(argv, what);
  const bool exited = WIFEXITED(child.status);
  const int code = exited ? WEXITSTATUS(child.status) : -1;
  if (!exited || code != 0) {
    std::string message = child.output;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    const std::string how = exited ? fmt::format("exit status {}", code)
                                   : fmt::format("killed by signal {}", WTERMSIG(child.status));
    throw Error(fmt::format("{}: {} failed ({}){}{}", what, gnuplot, how,
                            message.empty() ? "" : ": ", message));
  }
}

void draw_with_gnuplot(const std::string& script, const fs::path& output) {
  const std::string what = "cannot draw " + output.string();
  if (find_gnuplot().empty()) throw Error(what + ": gnuplot not found (Debian package gnuplot-nox)");
  if (output.has_parent_path()) create_output_folder(output.parent_path(), output);
  TempFiles temp;
  const fs::path script_file = temp.add(output, ".gp");
  const fs::path drawn = temp.add(output, output.extension().string());
  write_file_atomically(script_file, script);
  run_gnuplot(script_file, {drawn.string()}, what);
  check_written(drawn, what);
  rename_into_place(drawn, output);
}

WrittenFigure write_figure(const fs::path& dir, const std::string& name,
                           const GnuplotFigure& figure) {
  if (name.empty() || name.front() == '.' ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos)
    throw Error(fmt::format("figure name '{}': only letters, digits, '-', '_' and '.'", name));
  const fs::path base = dir / name;
  const std::string what = "cannot draw " + base.string();
  create_output_folder(dir, base);
  WrittenFigure out;
  std::string description = figure.description;
  for (char& c : description)
    if (c == '\n' || c == '\r') c = ' ';

  fs::path dat = base;
  dat += ".dat";
  const std::string dat_text = "# " + description + "\n" + figure.data;
  // A rerun that would write the same data and script keeps the figures drawn from them.
  bool unchanged = same_content(dat, dat_text);
  if (!unchanged) write_file_atomically(dat, dat_text);
  out.files.push_back(dat);

  std::string s;
  s += "# " + description + "\n";
  s += fmt::format(
      "# Written by labelgraph. Edit freely, then run `gnuplot {0}.gp` in this folder: it reads\n"
      "# {0}.dat and writes {0}.svg and {0}.pdf. (labelgraph passes the output and data paths as\n"
      "# ARG1, ARG2 and ARG3.)\n",
      name);
  s += "svg_file = (exists(\"ARG1\") && ARG1 ne \"\") ? ARG1 : " + quoted_file_name(name + ".svg") + "\n";
  s += "pdf_file = (exists(\"ARG2\") && ARG2 ne \"\") ? ARG2 : " + quoted_file_name(name + ".pdf") + "\n";
  s += "datafile = (exists(\"ARG3\") && ARG3 ne \"\") ? ARG3 : " + quoted_file_name(name + ".dat") + "\n";
  s += "set encoding utf8\n";
  s += "do for [format in \"svg pdf\"] {\n";
  s += "  reset\n";
  s += fmt::format(
      "  if (format eq \"svg\") {{\n"
      "    set terminal svg size {0},{1} dynamic enhanced font 'sans,11' background '#ffffff'\n"
      "    set output svg_file\n"
      "  }} else {{\n"
      "    set terminal pdfcairo size {0}/72.0,{1}/72.0 enhanced font 'sans,11' fontscale 0.8 linewidth 2 background '#ffffff'\n"
      "    set output pdf_file\n"
      "  }}\n",
      figure.width, figure.height);
  s += indented(figure.body);
  s += "  unset multiplot\n";
  s += "  set output\n";
  s += "}\n";
  fs::path gp = base;
  gp += ".gp";
  unchanged = same_content(gp, s) && unchanged;
  if (!unchanged) write_file_atomically(gp, s);
  out.files.push_back(gp);

  fs::path svg = base, pdf = base;
  svg += ".svg";
  pdf += ".pdf";
  std::error_code ec;
  if (unchanged && fs::file_size(svg, ec) > 0 && !ec && fs::file_size(pdf, ec) > 0 && !ec) {
    out.files.push_back(svg);
    out.files.push_back(pdf);
    out.drawn = true;
    return out;
  }
  if (find_gnuplot().empty()) return out;
  TempFiles temp;
  const fs::path svg_tmp = temp.add(svg, ".svg");
  const fs::path pdf_tmp = temp.add(pdf, ".pdf");
  run_gnuplot(gp, {svg_tmp.string(), pdf_tmp.string(), dat.string()}, what);
  check_written(svg_tmp, what);
  check_written(pdf_tmp, what);
  rename_into_place(svg_tmp, svg);
  rename_into_place(pdf_tmp, pdf);
  out.files.push_back(svg);
  out.files.push_back(pdf);
  out.drawn = true;
  return out;
}

}  // namespace lg::report
