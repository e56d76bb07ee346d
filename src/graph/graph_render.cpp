#include "graph/graph_render.hpp"

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace lg::graph {
namespace {

std::mutex graphviz_mutex;
std::string* graphviz_messages = nullptr;  // where agerr() output goes while a call runs

int collect_message(char* message) {
  if (graphviz_messages != nullptr && message != nullptr) *graphviz_messages += message;
  return 0;
}

// One Graphviz context for the whole process, created on first use and never freed. Graphviz
// 2.42/2.43's pango plugin caches a pointer to the last font name, which lives in the
// context's font dictionary: after gvFreeContext the next context's text layout reads freed
// memory (AddressSanitizer: heap-use-after-free in textspan_size). A context that lives
// forever keeps that name valid; it is reachable from here, so LeakSanitizer stays quiet.
GVC_t* shared_context() {
  static GVC_t* context = gvContext();
  if (context == nullptr) throw Error("Graphviz: could not create a context");
  return context;
}

// The graph and its layout for one render under the lock; routes Graphviz's messages to
// `messages` and restores the previous handler when done.
class GraphvizCall {
 public:
  explicit GraphvizCall(std::string& messages)
      : lock_(graphviz_mutex), context_(shared_context()) {
    graphviz_messages = &messages;
    old_handler_ = agseterrf(collect_message);
    old_level_ = agseterr(AGWARN);
    agreseterrors();
  }
  ~GraphvizCall() {
    if (graph_ != nullptr) {
      if (laid_out_) gvFreeLayout(context_, graph_);
      agclose(graph_);
    }
    agseterr(old_level_);
    agseterrf(old_handler_);
    graphviz_messages = nullptr;
  }
  GraphvizCall(const GraphvizCall&) = delete;
  GraphvizCall& operator=(const GraphvizCall&) = delete;

  GVC_t* context() { return context_; }
  Agraph_t* graph() { return graph_; }
  void set_graph(Agraph_t* g) { graph_ = g; }
  void set_laid_out() { laid_out_ = true; }

 private:
  std::lock_guard<std::mutex> lock_;
  GVC_t* context_;
  agusererrf old_handler_ = nullptr;
  agerrlevel_t old_level_ = AGWARN;
  Agraph_t* graph_ = nullptr;
  bool laid_out_ = false;
};

std::string trimmed(const std::string& text) {
  std::string out = text;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!trimmed(line).empty()) out.push_back(trimmed(line));
  return out;
}

std::string list(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// A PNG of a large graph (1,000+ labels) at Graphviz's 96 dpi is 5,000+ pixels wide; drawing
// and compressing it took most of the render time. Its resolution is lowered so that the
// longer side stays within kMaxPngPixels (SVG and PDF, which scale freely, keep their size).
void limit_png_size(Agraph_t* g) {
  const boxf bb = GD_bb(g);
  const double longest_points = std::max(bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
  if (!(longest_points > 0) || GD_drawing(g) == nullptr) return;
  double& dpi = GD_drawing(g)->dpi;
  const double current = dpi > 0 ? dpi : 96.0;
  const double pixels = longest_points / 72.0 * current;
  if (pixels > kMaxPngPixels) dpi = current * kMaxPngPixels / pixels;
}

}  // namespace

const std::vector<std::string>& layout_engines() {
  static const std::vector<std::string> names = {"neato", "sfdp", "dot", "circo", "fdp"};
  return names;
}

const std::vector<std::string>& figure_formats() {
  static const std::vector<std::string> names = {"svg", "pdf", "png"};
  return names;
}

std::string render_dot(const std::string& dot, const std::string& engine, const std::string& format,
                       std::vector<std::string>* warnings) {
  const auto& engines = layout_engines();
  if (std::find(engines.begin(), engines.end(), engine) == engines.end())
    throw Error(
        fmt::format("unknown layout engine '{}': expected one of {}", engine, list(engines)));
  const auto& formats = figure_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw Error(
        fmt::format("unknown figure format '{}': expected one of {}", format, list(formats)));

  std::string messages;
  std::string bytes;
  {
    GraphvizCall call(messages);
    call.set_graph(agmemread(dot.c_str()));
    if (call.graph() == nullptr)
      throw Error("Graphviz could not read the DOT text: " + trimmed(messages));
    if (gvLayout(call.context(), call.graph(), engine.c_str()) != 0)
      throw Error(fmt::format("Graphviz layout '{}' failed: {}", engine, trimmed(messages)));
    call.set_laid_out();
    if (format == "png") limit_png_size(call.graph());
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(call.context(), call.graph(), format.c_str(), &data, &length) != 0 ||
        data == nullptr) {
      if (data != nullptr) gvFreeRenderData(data);
      throw Error(fmt::format("Graphviz could not render {}: {}", format, trimmed(messages)));
    }
    bytes.assign(data, length);
    gvFreeRenderData(data);
  }
  if (warnings != nullptr)
    for (const std::string& line : lines_of(messages)) warnings->push_back("Graphviz: " + line);
  return bytes;
}

void render_figure(const LabelGraph& graph, const FigureStyle& style,
                   const std::filesystem::path& out, std::vector<std::string>* warnings) {
  std::string format = out.extension().string();
  if (!format.empty()) format.erase(0, 1);
  std::transform(format.begin(), format.end(), format.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string bytes = render_dot(to_dot(graph, style), style.engine, format, warnings);
  write_file_atomically(out, bytes);
}

}  // namespace lg::graph
