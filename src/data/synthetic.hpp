#pragma once
// Synthetic multi-label data with a known structure: label communities, power-law label
// frequencies, and labels that features barely reveal but that co-occur with easy ones.
//
// Generative model (N rows, L labels, D features, G groups; all defaults in SyntheticSpec):
//
//  1. Groups. Label l belongs to group l mod G. The anchor of group g is label g, the most
//     frequent label of its group.
//  2. Target frequencies follow a power law in the label index:
//        p_l = top_frequency * (l + 1)^(-imbalance)
//     (imbalance 0: balanced; larger: rarer tail labels, higher MeanIR).
//  3. Weak labels. W = floor(weak_fraction * L) labels (at most L - G) are "weak". They are
//     spread evenly over the frequency ranks of the non-anchor labels G..L-1 and cycle through
//     the groups: weak label j is the free non-anchor label of group j mod G nearest to rank
//     G + (j + 1/2)(L - G)/W (any group when that one has none left). Every other label is
//     "easy". Weak labels are named `lNN_gG_weak`, easy ones `lNN_gG`.
//  4. Labels of a row. The row draws one active group z uniformly from the G groups. Each
//     easy label l is on with probability
//        q_l = min(1, G * p_l * (1 - background * (G - 1) / G))   if group(l) = z,
//        background * p_l                                        otherwise,
//     so that its marginal frequency is p_l exactly while q_l <= 1 (labels of one group
//     co-occur, labels of different groups rarely do: the label graph has G communities).
//     A weak label w with anchor a = group(w) is on only when a is on, then with probability
//     min(1, p_w / P(a)): P(w) = p_w, and w always co-occurs with its easy anchor.
//     expected_frequency() gives these marginals exactly.
//  5. Features. Each label l has a direction u_l, a uniform random unit vector in R^D, and a
//     strength s_l = signal (easy) or weak_signal (weak). A row's features are
//        x = sum_{l on} s_l * u_l + e,   e ~ N(0, noise^2 I_D),
//     so a linear model finds easy labels readily and weak labels mostly through their anchor.
//
// Determinism: all randomness comes from std::mt19937_64 (its output is fixed by the C++
// standard) through this file's own uniform / Bernoulli / Box-Muller samplers, never
// std::*_distribution (whose results differ between standard libraries). Directions come from
// one stream and rows from another, both derived from the seed, so the first N rows do not
// depend on how many rows are asked for. Features are stored as float.
#include <cstdint>
#include <string>

#include "core/dataset.hpp"

namespace lg {

struct SyntheticSpec {
  Index rows = 1000;             ///< N: instances
  Index labels = 20;             ///< L: labels
  Index features = 50;           ///< D: features
  Index groups = 4;              ///< G: latent label groups (communities), 1 <= G <= L
  double imbalance = 1.0;        ///< power-law exponent of label frequencies (0 = balanced)
  double top_frequency = 0.25;   ///< target frequency of the most frequent label (0, 1]
  double weak_fraction = 0.2;    ///< fraction of labels whose features carry only weak signal
  double background = 0.1;       ///< rate of an easy label outside its active group, times p_l
  double signal = 2.0;           ///< length of an easy label's feature direction
  double weak_signal = 0.25;     ///< length of a weak label's feature direction
  double noise = 1.0;            ///< standard deviation of the feature noise
};

/// Throws lg::Error naming the first parameter out of range.
void validate(const SyntheticSpec& spec);

/// Group of label l (l mod G).
Index label_group(const SyntheticSpec& spec, Index label);
/// Whether label l is weak (step 3 of the model).
bool is_weak_label(const SyntheticSpec& spec, Index label);
/// Target frequency p_l of step 2.
double target_frequency(const SyntheticSpec& spec, Index label);
/// The model's exact marginal frequency of label l (equals p_l unless clipped at 1).
double expected_frequency(const SyntheticSpec& spec, Index label);

/// Generate the data set (dense features). Same spec and seed give identical data.
Dataset make_synthetic(const SyntheticSpec& spec, std::uint64_t seed);

}  // namespace lg
