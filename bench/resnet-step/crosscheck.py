#!/usr/bin/python3
"""Writes a PyTorch ResNet's state_dict (torchvision names) and a reference forward pass as
safetensors, for `CrossMedia.Bench resnet-crosscheck`, which imports the weights into the
TorchSharp ResNet and compares logits. The safetensors writer below is written from the format
description (8-byte little-endian header length, JSON header, raw data), independent of the C# one.

Usage: /usr/bin/python3 bench/resnet-step/crosscheck.py OUT_DIR [--depth 50] [--size 64]
"""
import argparse
import json
import os
import struct

import torch

from resnet_step import ResNet

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes() if t.dtype != torch.bfloat16 \
            else t.detach().contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--depth", type=int, default=50)
    p.add_argument("--size", type=int, default=64)
    a = p.parse_args()
    torch.manual_seed(0)
    model = ResNet(a.depth, 1000)
    # Train a few steps so BatchNorm statistics are not at their initial values.
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.randn(4, 3, a.size, a.size)), torch.randint(0, 1000, (4,))).backward()
        opt.step()
    model.eval()
    x = torch.randn(2, 3, a.size, a.size)
    with torch.no_grad():
        logits = model(x)
        features = model.layer4(model.layer3(model.layer2(model.layer1(model.maxpool(torch.relu(model.bn1(model.conv1(x)))))))).mean((2, 3))
    os.makedirs(a.out, exist_ok=True)
    sd = model.state_dict()
    # Store a few tensors in half / bfloat16 precision too, to exercise the reader's conversions.
    write_safetensors(os.path.join(a.out, f"resnet{a.depth}.safetensors"), {("module." + k): v for k, v in sd.items()})
    write_safetensors(os.path.join(a.out, "reference.safetensors"), {
        "input": x, "logits": logits, "features": features,
        "input_f16": x.half(), "input_bf16": x.bfloat16()})
    print(f"wrote {len(sd)} tensors for resnet{a.depth}; logits[0,:3]={logits[0, :3].tolist()}")


if __name__ == "__main__":
    main()
