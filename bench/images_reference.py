#!/usr/bin/python3
"""python3-torch side of bench/images (run by bench/run_images.sh with /usr/bin/python3).

  images_reference.py PREFIX --model cnn-br|mlgcn [--threads T] [--workers W] [--epochs E]
                      [--batch B] [--width C] [--depth D] [--seed S] [--device cpu|cuda[:K]]

PREFIX-images.npy (N x 64 x 64 x 3 uint8) and PREFIX-labels.npy (N x L uint8) are the scenes
folder that `labelgraph synth-images` wrote, decoded by `bench_images --export-npy` (Debian's
python3 has neither PIL nor imageio; the decoding is not timed on either side).

The same network and loop as labelgraph's cnn-br / mlgcn on images (src/nets), written the way a
PyTorch user would:
  * data: a torch Dataset over the uint8 HWC arrays in memory; __getitem__ flips left-right
    with probability 1/2, scales to [0, 1], normalises with the ImageNet mean / sd and returns
    float32 CHW (data/image_transforms.hpp at resize 0 with random_flip); a DataLoader with
    batch_size B, shuffle=True, num_workers W (0: in the training process; 1: one worker
    process, like labelgraph's one loader thread), default collate, non-persistent workers;
  * SmallResNet as nets/backbone.cpp: stem conv3x3(3 -> C, no bias) + BN + ReLU; D basic
    blocks (conv3x3 stride s + BN + ReLU, conv3x3 + BN, shortcut 1x1 conv + BN when the shape
    changes, add, ReLU), block 1 keeps C and the resolution, each later one doubles the
    channels and halves the resolution; He-normal fan_out init; global max pooling;
  * cnn-br: Linear(F, L) head; mlgcn: Z = A leaky_relu(A (I W1), 0.2) W2 (one-hot inputs I,
    W1: L x 256, W2: 256 x F, no bias), A = mlgcn-reference of the labels at tau 0.4
    (nets_reference.py), logits = f Z^T, Z recomputed every step;
  * BCEWithLogitsLoss (mean), Adam(lr 1e-3, weight_decay 1e-4) (two parameter groups for
    mlgcn, as make_optimizer), clip_grad_norm_(10), torch.set_num_threads(T).
--device cuda (bench/run_gpu.sh): the network and each batch on the GPU (pinned DataLoader
memory, non-blocking copies), with the settings labelgraph's configure_torch makes there:
deterministic cuDNN without benchmarking, torch.use_deterministic_algorithms(True,
warn_only=True). loss.item() every step waits for the GPU, as labelgraph's loss sum does.
Timed per epoch from the DataLoader's iterator (workers started) to the last step.
cpu_util = (user + sys CPU seconds of this process and of its ended children, i.e. the
DataLoader workers, over the training loop) / (wall seconds * T); loader_cpu_share = the
children's share of those CPU seconds (0 for W = 0: the loading is then inside the process).
Line:
  RESULT side python model M threads T workers W epochs E rows N median_epoch_ms X
         images_per_s I first_epoch_ms F cpu_util U loader_cpu_share C final_loss L
         size P device D
"""
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as Fn

from nets_reference import mlgcn_reference

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
SD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class Scenes(torch.utils.data.Dataset):
    def __init__(self, images, labels):
        self.images = images
        self.labels = torch.from_numpy(labels.astype(np.float32))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        im = self.images[i]
        if np.random.random() < 0.5:
            im = im[:, ::-1]
        x = (im.astype(np.float32) / 255.0 - MEAN) / SD
        return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))), self.labels[i]


def conv(cin, cout, kernel, stride):
    c = torch.nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)
    torch.nn.init.kaiming_normal_(c.weight, mode="fan_out", nonlinearity="relu")
    return c


class BasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride), torch.nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1), torch.nn.BatchNorm2d(cout)
        self.shortcut = None
        if cin != cout or stride != 1:
            self.shortcut = conv(cin, cout, 1, stride)
            self.shortcut_bn = torch.nn.BatchNorm2d(cout)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        skip = self.shortcut_bn(self.shortcut(x)) if self.shortcut is not None else x
        return torch.relu(h + skip)


class SmallResNet(torch.nn.Module):
    def __init__(self, width, depth):
        super().__init__()
        self.stem, self.stem_bn = conv(3, width, 3, 1), torch.nn.BatchNorm2d(width)
        blocks = []
        for k in range(depth):
            out = width if k == 0 else width * 2
            blocks.append(BasicBlock(width, out, 1 if k == 0 else 2))
            width = out
        self.blocks = torch.nn.Sequential(*blocks)
        self.feature_size = width

    def forward(self, x):
        h = self.blocks(torch.relu(self.stem_bn(self.stem(x))))
        return h.flatten(2).max(2)[0]


class Net(torch.nn.Module):
    def __init__(self, labels, width, depth, gcn_adj, gcn_hidden=256):
        super().__init__()
        self.cnn = SmallResNet(width, depth)
        f = self.cnn.feature_size
        self.gcn = gcn_adj is not None
        if self.gcn:
            bound1, bound2 = 1 / gcn_hidden ** 0.5, 1 / f ** 0.5  # gcn.cpp: 1/sqrt(out)
            self.w1 = torch.nn.Parameter(torch.empty(labels, gcn_hidden).uniform_(-bound1, bound1))
            self.w2 = torch.nn.Parameter(torch.empty(gcn_hidden, f).uniform_(-bound2, bound2))
            self.register_buffer("inputs", torch.eye(labels))
            self.register_buffer("adj", torch.from_numpy(gcn_adj))
        else:
            self.head = torch.nn.Linear(f, labels)

    def base_parameters(self):
        return list(self.cnn.parameters()) + ([] if self.gcn else list(self.head.parameters()))

    def gcn_parameters(self):
        return [self.w1, self.w2] if self.gcn else []

    def forward(self, x):
        f = self.cnn(x)
        if not self.gcn:
            return self.head(f)
        h = Fn.leaky_relu(torch.matmul(self.adj, torch.matmul(self.inputs, self.w1)), 0.2)
        z = torch.matmul(self.adj, torch.matmul(h, self.w2))
        return torch.matmul(f, z.t())


def cpu_seconds(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


def train(prefix, model, threads, workers, epochs, batch, width, depth, seed, device="cpu"):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)
    dev = torch.device(device)
    if dev.type == "cuda":  # as nets/tensor_convert.cpp configure_torch
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
        torch.use_deterministic_algorithms(True, warn_only=True)
    images = np.load(prefix + "-images.npy")
    labels = np.load(prefix + "-labels.npy")
    adj = mlgcn_reference(labels) if model == "mlgcn" else None
    net = Net(labels.shape[1], width, depth, adj).to(dev)
    groups = [{"params": net.base_parameters()}]
    if net.gcn:
        groups.append({"params": net.gcn_parameters()})
    opt = torch.optim.Adam(groups, lr=1e-3, weight_decay=1e-4)
    params = list(net.parameters())
    loss_fn = torch.nn.BCEWithLogitsLoss()
    # Each worker reseeds numpy from torch's per-worker seed, so flips differ between workers.
    loader = torch.utils.data.DataLoader(
        Scenes(images, labels), batch_size=batch, shuffle=True, num_workers=workers,
        pin_memory=dev.type == "cuda",
        worker_init_fn=lambda _: np.random.seed(torch.initial_seed() % 2 ** 32))
    n = len(images)
    times, loss_epoch = [], float("nan")
    cpu0 = cpu_seconds(resource.RUSAGE_SELF)
    child0 = cpu_seconds(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        loss_sum = 0.0
        for xb, yb in loader:
            if dev.type != "cpu":
                xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
            opt.zero_grad(set_to_none=True)  # as labelgraph (and PyTorch 2) do
            loss = loss_fn(net(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            loss_sum += loss.item() * xb.shape[0]
        loss_epoch = loss_sum / n
        times.append(time.perf_counter() - start)
    wall = time.perf_counter() - wall0
    own = cpu_seconds(resource.RUSAGE_SELF) - cpu0
    children = cpu_seconds(resource.RUSAGE_CHILDREN) - child0
    tail = times[1:] if len(times) > 1 else times
    med = float(np.median(tail))
    print(f"RESULT side python model {model} threads {threads} workers {workers} epochs {epochs} "
          f"rows {n} median_epoch_ms {1e3 * med:.1f} images_per_s {n / med:.1f} "
          f"first_epoch_ms {1e3 * times[0]:.1f} cpu_util {(own + children) / (wall * threads):.3f} "
          f"loader_cpu_share {children / max(own + children, 1e-9):.3f} "
          f"final_loss {loss_epoch:.6f} size {images.shape[1]} device {device}")


def main():
    args = sys.argv[1:]
    opts = {"--model": "cnn-br", "--threads": "1", "--workers": "0", "--epochs": "5",
            "--batch": "64", "--width": "16", "--depth": "3", "--seed": "1", "--device": "cpu"}
    prefix = None
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = args.pop(0)
        elif prefix is None and not a.startswith("--"):
            prefix = a
        else:
            sys.exit(f"images_reference.py: unexpected argument {a}")
    if prefix is None:
        sys.exit("usage: images_reference.py PREFIX [--model cnn-br|mlgcn] [--threads T] ...")
    print(f"VERSION {torch.__version__}")
    train(prefix, opts["--model"], int(opts["--threads"]), int(opts["--workers"]),
          int(opts["--epochs"]), int(opts["--batch"]), int(opts["--width"]),
          int(opts["--depth"]), int(opts["--seed"]), opts["--device"])


if __name__ == "__main__":
    main()
