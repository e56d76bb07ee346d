#!/usr/bin/python3
"""bench/heads, the python3-torch side: the same head modules as the parity references
(tests/fixtures/nets/heads/reference_heads.py), the same sizes, fixed backbone outputs, loop and
optimiser as bench/bench_heads.cpp; one RESULT line (see bench_heads.cpp for the fields).

    /usr/bin/python3 bench/heads_reference.py --head NAME [--threads T] [--epochs E] [--rows N]
        [--batch B] [--labels C] [--features F] [--side S] [--seed K] [--device D]

--device cuda[:K] (bench/run_gpu.sh): the data are drawn on the CPU as before, then the head
and the data move to the GPU, with the settings labelgraph's configure_torch makes there
(deterministic cuDNN, no benchmarking, use_deterministic_algorithms(True, warn_only=True)).
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as Fn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "fixtures", "nets", "heads"))
import reference_heads as rh  # noqa: E402


def build(name, F, C, label_inputs, adjacency):
    if name == "linear":
        return rh.Linear(F, C)
    if name == "mlgcn":
        return rh.MLGCN(F, C, C, 128, label_inputs=label_inputs, adjacency=adjacency)
    if name == "agcn":
        return rh.AGCN(F, C, C, 128, label_inputs=label_inputs)
    if name == "addgcn":
        return rh.ADDGCN(F, C, node_dim=32)
    if name == "ssgrl":
        return rh.SSGRL(F, C, C, attention_dim=32, label_inputs=label_inputs, adjacency=adjacency)
    if name == "q2l":
        return rh.Q2L(F, C, heads=4, transformer_dropout=0.0)
    if name == "mldecoder":
        return rh.Q2L(F, C, heads=4, queries=5, encoder_layers=0, decoder_layers=1,
                      transformer_dropout=0.0)
    if name == "lamp":
        return rh.LaMP(F, C, heads=4, attention_dropout=0.0, mask="none")
    raise SystemExit("unknown head " + name)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--head", default="mlgcn")
    for k, v in [("threads", 1), ("epochs", 5), ("rows", 1024), ("batch", 64), ("labels", 10),
                 ("features", 64), ("side", 12), ("seed", 1)]:
        a.add_argument("--" + k, type=int, default=v)
    a.add_argument("--device", default="cpu")
    o = a.parse_args()
    torch.set_num_threads(o.threads)
    dev = torch.device(o.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
        torch.use_deterministic_algorithms(True, warn_only=True)
    g = torch.Generator().manual_seed(o.seed)
    n, C, F, S = o.rows, o.labels, o.features, o.side
    maps = torch.randn(n, F, S, S, generator=g)
    pooled = maps.amax(dim=(2, 3)).to(dev)
    y = (torch.rand(n, C, generator=g) < 0.2).float().to(dev)
    adjacency = torch.rand(C, C, generator=g)
    adjacency = adjacency / adjacency.sum(1, keepdim=True)
    head = build(o.head, F, C, torch.eye(C), adjacency).to(dev)
    head.train()
    if head.needs_map:
        maps = maps.to(dev)
    adam = torch.optim.Adam(head.parameters(), lr=1e-3)
    ms, loss = [], None
    for _ in range(o.epochs):
        order = torch.randperm(n, generator=g).to(dev)
        start = time.perf_counter()
        for first in range(0, n, o.batch):
            rows = order[first:first + o.batch]
            m = maps.index_select(0, rows) if head.needs_map else None
            adam.zero_grad()
            logits = head(pooled.index_select(0, rows), m)
            loss = Fn.binary_cross_entropy_with_logits(logits, y.index_select(0, rows))
            if o.head == "agcn":
                loss = loss + head.extra_loss_value()
            loss.backward()
            adam.step()
            if dev.type != "cpu":
                loss.item()  # bench_heads reads the loss every step: on a GPU, a wait
        ms.append((time.perf_counter() - start) * 1000)
    later = sorted(ms[1:] if len(ms) > 1 else ms)
    params = sum(p.numel() for p in head.parameters())
    median = later[len(later) // 2]
    print("RESULT side python head %s threads %d median_epoch_ms %.3f first_epoch_ms %.3f "
          "parameters %d final_loss %.6f images_per_s %.1f map_side %d features %d device %s"
          % (o.head, o.threads, median, ms[0], params, loss.item(), 1e3 * n / median, S, F,
             o.device))


if __name__ == "__main__":
    main()
