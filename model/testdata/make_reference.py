#!/usr/bin/env python3
"""Writes the PyTorch reference for model/torch_test.go.

An independent PyTorch implementation of tok's model (token embedding,
learned / RoPE / ALiBi positions, pre-norm blocks with LayerNorm or RMSNorm
without bias, causal multi-head attention, exact-erf GELU MLP, final norm,
output layer tied to the token embedding, mean cross-entropy) runs one
forward and backward pass on a tiny configuration, in float64, from random
float32 weights. For each of the 6 position x norm variants it writes
torch_<position>_<norm>.safetensors holding the weights (nanoGPT names), the
input tokens and targets (as F32), the logits, the loss and the gradient of
every weight ("grad.<name>"), with the configuration in __metadata__.

Run with Debian's python3-torch:  /usr/bin/python3 make_reference.py
(from this directory; torch 1.13.1 made the committed files).
"""
import json
import math
import struct

import torch
import torch.nn.functional as F

V, T, B, L, NH, C, R = 37, 7, 2, 2, 2, 16, 4
EPS, ROPE_BASE = 1e-5, 10000.0


def alibi_slopes(n):
    def pow2(n):
        start = 2 ** (-8 / n)
        return [start ** (i + 1) for i in range(n)]
    p = 2 ** int(math.floor(math.log2(n)))
    s = pow2(p)
    if p < n:
        s += pow2(2 * p)[0::2][: n - p]
    return torch.tensor(s, dtype=torch.float64)


def norm(x, w, kind):
    if kind == "layernorm":
        return F.layer_norm(x, (x.size(-1),), w, None, EPS)
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + EPS) * w


def rope(x):  # x: (B, NH, T, hs), rotate-half pairs (i, i + hs/2)
    hs = x.size(-1)
    half = hs // 2
    inv = ROPE_BASE ** (-2 * torch.arange(half, dtype=torch.float64) / hs)
    ang = torch.arange(x.size(2), dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def forward(p, tokens, targets, pos, kind):
    x = p["wte.weight"][tokens]
    if pos == "learned":
        x = x + p["wpe.weight"][: tokens.size(1)]
    hs = C // NH
    t = tokens.size(1)
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    dist = (torch.arange(t)[:, None] - torch.arange(t)[None, :]).to(torch.float64)
    for l in range(L):
        h = f"h.{l}."
        a = norm(x, p[h + "ln_1.weight"], kind)
        q, k, v = (a @ p[h + "attn.c_attn.weight"].T).split(C, dim=2)
        q, k, v = (z.view(B, t, NH, hs).transpose(1, 2) for z in (q, k, v))
        if pos == "rope":
            q, k = rope(q), rope(k)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        if pos == "alibi":
            att = att - alibi_slopes(NH)[None, :, None, None] * dist[None, None]
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, t, C)
        x = x + y @ p[h + "attn.c_proj.weight"].T
        a = norm(x, p[h + "ln_2.weight"], kind)
        x = x + F.gelu(a @ p[h + "mlp.c_fc.weight"].T) @ p[h + "mlp.c_proj.weight"].T
    x = norm(x, p["ln_f.weight"], kind)
    logits = x @ p["wte.weight"].T
    return logits, F.cross_entropy(logits.view(-1, V), targets.view(-1))


def specs(pos):
    s = [("wte.weight", (V, C))]
    if pos == "learned":
        s.append(("wpe.weight", (T, C)))
    for l in range(L):
        h = f"h.{l}."
        s += [(h + "ln_1.weight", (C,)), (h + "attn.c_attn.weight", (3 * C, C)),
              (h + "attn.c_proj.weight", (C, C)), (h + "ln_2.weight", (C,)),
              (h + "mlp.c_fc.weight", (R * C, C)), (h + "mlp.c_proj.weight", (C, R * C))]
    return s + [("ln_f.weight", (C,))]


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, t in tensors:
        b = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + b"".join(blobs))


def main():
    for pos in ("learned", "rope", "alibi"):
        for kind in ("layernorm", "rmsnorm"):
            g = torch.Generator().manual_seed(1234)
            p = {}
            for name, shape in specs(pos):
                if len(shape) == 1:  # gains near 1, not exactly, so their gradients matter
                    w = 1 + 0.1 * torch.randn(shape, generator=g)
                else:
                    w = 0.3 * torch.randn(shape, generator=g)
                p[name] = w.to(torch.float32).to(torch.float64).requires_grad_(True)
            tokens = torch.randint(V, (B, T), generator=g)
            targets = torch.randint(V, (B, T), generator=g)
            logits, loss = forward(p, tokens, targets, pos, kind)
            loss.backward()
            cfg = {"vocab_size": V, "context_len": T, "layers": L, "heads": NH, "width": C,
                   "mlp_ratio": R, "position": pos, "norm": kind, "norm_eps": EPS,
                   "rope_base": ROPE_BASE, "init_std": 0.02}
            out = [(n, p[n]) for n, _ in specs(pos)]
            out += [("tokens", tokens.to(torch.float64)), ("targets", targets.to(torch.float64)),
                    ("logits", logits), ("loss", loss.reshape(1))]
            out += [("grad." + n, p[n].grad) for n, _ in specs(pos)]
            write_safetensors(f"torch_{pos}_{kind}.safetensors", out,
                              {"config": json.dumps(cfg), "torch": torch.__version__, "batch": str(B)})
            print(pos, kind, "loss", loss.item())


if __name__ == "__main__":
    main()
