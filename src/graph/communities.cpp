#include "graph/communities.hpp"

#include <fmt/format.h>
#include <igraph/igraph.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <numeric>

#include "core/error.hpp"

namespace lg::graph {
namespace {

// igraph's default error handler aborts the process; ours records the reason so that the
// failing call can throw lg::Error instead. igraph keeps the handler and its default random
// generator process-wide, so calls are serialised.
std::mutex igraph_mutex;
thread_local std::string igraph_reason;

void record_igraph_error(const char* reason, const char* /*file*/, int /*line*/,
                         igraph_error_t error) {
  igraph_reason = fmt::format("{} ({})", reason, igraph_strerror(error));
  IGRAPH_FINALLY_FREE();  // what igraph_error_handler_ignore does: free the partial results
}

class IgraphSession {
 public:
  IgraphSession() : lock_(igraph_mutex), old_(igraph_set_error_handler(record_igraph_error)) {}
  ~IgraphSession() { igraph_set_error_handler(old_); }
  IgraphSession(const IgraphSession&) = delete;
  IgraphSession& operator=(const IgraphSession&) = delete;

 private:
  std::lock_guard<std::mutex> lock_;
  igraph_error_handler_t* old_;
};

void check(igraph_error_t status, const char* what) {
  if (status != IGRAPH_SUCCESS) throw Error(fmt::format("igraph {}: {}", what, igraph_reason));
}

/// The positive-weight undirected view as an igraph graph with an edge-weight vector.
class IgraphView {
 public:
  explicit IgraphView(const LabelGraph& graph) {
    std::vector<igraph_integer_t> ends;
    std::vector<igraph_real_t> w;
    for (const WeightedEdge& e : graph.undirected_edges()) {
      if (e.weight > 0.0) {
        ends.push_back(static_cast<igraph_integer_t>(e.source));
        ends.push_back(static_cast<igraph_integer_t>(e.target));
        w.push_back(e.weight);
      } else {
        ++dropped;
      }
    }
    igraph_vector_int_t edge_vector;
    igraph_vector_int_view(&edge_vector, ends.data(), static_cast<igraph_integer_t>(ends.size()));
    check(igraph_create(&graph_, &edge_vector, static_cast<igraph_integer_t>(graph.num_labels()),
                        IGRAPH_UNDIRECTED),
          "create");
    if (igraph_vector_init(&weights_, static_cast<igraph_integer_t>(w.size())) != IGRAPH_SUCCESS) {
      igraph_destroy(&graph_);
      throw Error("igraph: out of memory");
    }
    std::copy(w.begin(), w.end(), VECTOR(weights_));
  }
  ~IgraphView() {
    igraph_vector_destroy(&weights_);
    igraph_destroy(&graph_);
  }
  IgraphView(const IgraphView&) = delete;
  IgraphView& operator=(const IgraphView&) = delete;

  const igraph_t* graph() const { return &graph_; }
  const igraph_vector_t* weights() const { return &weights_; }
  bool has_edges() const { return igraph_vector_size(&weights_) > 0; }
  Index dropped = 0;  ///< edges with weight <= 0 left out

 private:
  igraph_t graph_;
  igraph_vector_t weights_;
};

class IntVector {
 public:
  explicit IntVector(igraph_integer_t n) {
    if (igraph_vector_int_init(&v_, n) != IGRAPH_SUCCESS) throw Error("igraph: out of memory");
  }
  ~IntVector() { igraph_vector_int_destroy(&v_); }
  IntVector(const IntVector&) = delete;
  IntVector& operator=(const IntVector&) = delete;
  igraph_vector_int_t* get() { return &v_; }

 private:
  igraph_vector_int_t v_;
};

class RealVector {
 public:
  explicit RealVector(igraph_integer_t n) {
    if (igraph_vector_init(&v_, n) != IGRAPH_SUCCESS) throw Error("igraph: out of memory");
  }
  ~RealVector() { igraph_vector_destroy(&v_); }
  RealVector(const RealVector&) = delete;
  RealVector& operator=(const RealVector&) = delete;
  igraph_vector_t* get() { return &v_; }

 private:
  igraph_vector_t v_;
};

double modularity_of(const IgraphView& view, const std::vector<int>& membership, double gamma) {
  if (!view.has_edges()) return 0.0;  // igraph returns NaN for a graph without weight
  IntVector m(static_cast<igraph_integer_t>(membership.size()));
  std::copy(membership.begin(), membership.end(), VECTOR(*m.get()));
  igraph_real_t q = 0.0;
  check(igraph_modularity(view.graph(), m.get(), view.weights(), gamma, false, &q), "modularity");
  return q;
}

// Communities numbered by decreasing size, ties by their lowest label, so the numbering does
// not depend on the generator's labels.
std::vector<int> renumber_by_size(const std::vector<int>& raw) {
  std::map<int, std::pair<Index, Index>> size_first;  // raw id -> (size, first label)
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto [it, fresh] = size_first.try_emplace(raw[i], 0, static_cast<Index>(i));
    ++it->second.first;
  }
  std::vector<std::pair<int, std::pair<Index, Index>>> order(size_first.begin(), size_first.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second.first != b.second.first ? a.second.first > b.second.first
                                            : a.second.second < b.second.second;
  });
  std::map<int, int> new_id;
  for (std::size_t k = 0; k < order.size(); ++k) new_id[order[k].first] = static_cast<int>(k);
  std::vector<int> out(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) out[i] = new_id[raw[i]];
  return out;
}

void check_membership(const LabelGraph& graph, const std::vector<int>& membership) {
  if (static_cast<Index>(membership.size()) != graph.num_labels())
    throw Error(fmt::format("modularity: {} community indices for {} labels", membership.size(),
                            graph.num_labels()));
  for (std::size_t i = 0; i < membership.size(); ++i)
    if (membership[i] < 0)
      throw Error(fmt::format("modularity: negative community index for label {}", i));
}

}  // namespace

double modularity(const LabelGraph& graph, const std::vector<int>& membership, double resolution) {
  check_membership(graph, membership);
  IgraphSession session;
  const IgraphView view(graph);
  return modularity_of(view, membership, resolution);
}

Communities detect_communities(const LabelGraph& graph, const CommunityOptions& options) {
  if (!(options.resolution > 0.0))
    throw Error(
        fmt::format("communities: the resolution must be positive, not {}", options.resolution));
  const std::size_t n = static_cast<std::size_t>(graph.num_labels());
  Communities out;
  IgraphSession session;
  const IgraphView view(graph);
  if (view.dropped > 0)
    out.notes.push_back(fmt::format(
        "communities: {} edge(s) with weight <= 0 left out (modularity needs positive weights)",
        view.dropped));

  std::vector<int> raw(n);
  if (view.has_edges()) {
    // Leiden optimises modularity when node weights are strengths and the resolution is
    // gamma / (2W) (igraph's documentation of igraph_community_leiden).
    RealVector strength(0);
    check(igraph_strength(view.graph(), strength.get(), igraph_vss_all(), IGRAPH_ALL, true,
                          view.weights()),
          "strength");
    const double total = igraph_vector_sum(view.weights());
    IntVector membership(static_cast<igraph_integer_t>(n));
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0.0;
    check(igraph_rng_seed(igraph_rng_default(), static_cast<igraph_uint_t>(options.seed)), "seed");
    check(igraph_community_leiden(view.graph(), view.weights(), strength.get(),
                                  options.resolution / (2.0 * total), 0.01, false,
                                  /*n_iterations: until stable*/ -1, membership.get(), &clusters,
                                  &quality),
          "Leiden");
    for (std::size_t i = 0; i < n; ++i) raw[i] = static_cast<int>(VECTOR(*membership.get())[i]);
  } else {
    std::iota(raw.begin(), raw.end(), 0);  // no positive edge: every label alone
  }
  out.membership = renumber_by_size(raw);
  out.count = n == 0 ? 0 : *std::max_element(out.membership.begin(), out.membership.end()) + 1;
  out.modularity = modularity_of(view, out.membership, options.resolution);
  return out;
}

}  // namespace lg::graph
