#pragma once
// The heads, one file each (nets/head.hpp says what a head is). Each file defines its parameter
// struct, its module and its model, and registers the model's config name:
//   linear.cpp  mlp-br (feature rows), cnn-br (images): one sigmoid output per label
//   mlgcn.cpp   mlgcn: classifiers from a GCN over label inputs on the label graph
//   agcn.cpp    agcn: ML-GCN with a learned label graph (A-GCN)
//   addgcn.cpp  addgcn: semantic attention + static and dynamic GCN (ADD-GCN; images)
//   ssgrl.cpp   ssgrl: label-guided attention pooling + gated graph network (SSGRL; images)
//   q2l.cpp     q2l: label queries in a transformer decoder (Query2Label, ML-Decoder; images)
//   lamp.cpp    lamp: label self-attention masked by the label graph (LaMP)
//   custom.cpp  custom-head: head = "torchscript:PATH", a head scripted in Python
// Plain C++ (no torch): the plugin's register function calls these.
namespace lg::nets {

void register_linear_heads();
void register_mlgcn_head();
void register_agcn_head();
void register_addgcn_head();
void register_ssgrl_head();
void register_q2l_head();
void register_lamp_head();
void register_custom_head();

/// Every head above (register_net_models).
inline void register_heads() {
  register_linear_heads();
  register_mlgcn_head();
  register_agcn_head();
  register_addgcn_head();
  register_ssgrl_head();
  register_q2l_head();
  register_lamp_head();
  register_custom_head();
}

}  // namespace lg::nets
