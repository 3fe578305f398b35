#!/usr/bin/python3
"""One ResNet training step in PyTorch — the reference for `CrossMedia.Bench resnet-step`.

Same work as the TorchSharp side: ResNet-50 (torchvision layout, bottleneck stride in the 3x3),
a fixed random batch, cross-entropy, backward, SGD(lr 0.01, momentum 0.9). Prints the median
step time after warm-up and the peak RSS. torchvision is not needed (Debian's python3-torch
has none), so the network is written out here.

Usage: /usr/bin/python3 bench/resnet-step/resnet_step.py [--depth 50] [--batch 16] [--size 224]
       [--threads 2] [--warmup 2] [--steps 6] [--show-config]
"""
import argparse
import resource
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * self.expansion
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = None
        if stride != 1 or cin != width:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


LAYOUTS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
           50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3])}


class ResNet(nn.Module):
    def __init__(self, depth, classes):
        super().__init__()
        block, layers = LAYOUTS[depth]
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        stages = []
        for i, (width, n) in enumerate(zip([64, 128, 256, 512], layers)):
            blocks = []
            for j in range(n):
                blocks.append(block(cin, width, 2 if (j == 0 and i > 0) else 1))
                cin = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(x.mean((2, 3)))


def rss():
    status = dict(l.split(":", 1) for l in open("/proc/self/status"))
    kib = lambda k: int(status[k].split()[0]) // 1024
    return f"rss_mib={kib('VmRSS')} peak_mib={kib('VmHWM')}"


def main():
    p = argparse.ArgumentParser()
    for k, v in dict(depth=50, batch=16, size=224, threads=2, warmup=2, steps=6).items():
        p.add_argument(f"--{k}", type=int, default=v)
    p.add_argument("--show-config", action="store_true")
    p.add_argument("--phases", type=int, default=0)  # print RSS after forward / backward / step (first step)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.show_config:
        print(torch.__config__.show())
    torch.manual_seed(0)
    model = ResNet(a.depth, 1000).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.randint(0, 1000, (a.batch,))
    times, cpu = [], []
    for i in range(a.warmup + a.steps):
        t, c = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if a.phases and i == 0: print("phase=forward", rss())
        loss.backward()
        if a.phases and i == 0: print("phase=backward", rss())
        opt.step()
        if a.phases and i == 0: print("phase=step", rss())
        if i >= a.warmup:
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    print(f"impl=pytorch-{torch.__version__} model=resnet{a.depth} batch={a.batch} size={a.size} threads={torch.get_num_threads()}")
    print(f"ms_per_step_median={statistics.median(times):.0f} steps=[{', '.join(f'{t:.0f}' for t in times)}]")
    print(f"cpu_ms_per_step_median={statistics.median(cpu):.0f} (user+sys of all threads; inflated by spinning under contention)")
    print(f"peak_rss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
