#pragma once
// The heads, one file each (nets/head.hpp says what a head is). Each file defines its parameter
// struct, its module and its model, and registers the model's config name:
//   linear.cpp  mlp-br (feature rows), cnn-br (images): one sigmoid output per label
//   mlgcn.cpp   mlgcn: classifiers from a GCN over label inputs on the label graph
// Plain C++ (no torch): the plugin's register function calls these.
namespace lg::nets {

void register_linear_heads();
void register_mlgcn_head();

/// Every head above (register_net_models).
inline void register_heads() {
  register_linear_heads();
  register_mlgcn_head();
}

}  // namespace lg::nets
