#pragma once
// Communities of a label graph with igraph's Leiden algorithm (modularity objective) and
// Newman's weighted modularity, e.g. for label-space partitioning (reference doc §4).
//
// Both run on the graph's undirected view (LabelGraph::undirected_edges(): a directed pair
// merged with the larger weight) and use only edges with positive weight: modularity is not
// defined for negative weights (PMI / NPMI), so such edges are left out and a note says so.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/label_graph.hpp"

namespace lg::graph {

struct CommunityOptions {
  double resolution = 1.0;  ///< modularity resolution gamma (1 = Newman's modularity)
  std::uint64_t seed = 1;   ///< seeds igraph's default random generator: same seed, same result
};

struct Communities {
  std::vector<int> membership;     ///< community per label, 0 .. count-1, numbered by size
                                   ///< (largest first; ties by lowest label)
  int count = 0;                   ///< number of communities (isolated labels are their own)
  double modularity = 0.0;         ///< Newman's weighted modularity of `membership`
  std::vector<std::string> notes;  ///< e.g. how many non-positive edges were left out
};

/// Leiden (Traag et al. 2019) with the modularity quality function, iterated until stable.
Communities detect_communities(const LabelGraph& graph, const CommunityOptions& options = {});

/// Newman's weighted modularity Q = sum_c [ W_c / W - gamma (S_c / 2W)^2 ] of a membership
/// (W: total positive edge weight, W_c: inside community c, S_c: strength sum of c), via
/// igraph_modularity. Throws lg::Error for a membership of the wrong size or a negative index.
double modularity(const LabelGraph& graph, const std::vector<int>& membership,
                  double resolution = 1.0);

}  // namespace lg::graph
