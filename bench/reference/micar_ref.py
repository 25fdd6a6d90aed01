#!/usr/bin/python3
"""A PyTorch (eager) implementation of the official MicarVLMoE architecture, written from
shared/reference/official-implementation.md (module structure, state-dict keys, op order and the official
code's quirks: dense MoE with Σŝ-scaled unweighted sum, 1/√(nope+rope) scale, strided head split, half-rotated
interleaved RoPE, GatedFusion residuals, beam search that recomputes the whole prefix).

Used (1) by scripts/fixtures/make_model_fixtures.py to produce reference logits for Micar's tests and (2) by the
bench/ harness as the PyTorch side of the side-by-side timings. Runs on Debian's python3-torch; no einops or
rotary-embedding-torch needed (their behaviour at the pinned versions is reproduced here)."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class RMSNorm(nn.Module):
    def __init__(self, n, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        x32 = x.float()
        y = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return y.type_as(x) * self.weight


class TeLU(nn.Module):
    def forward(self, x):
        return x * torch.tanh(torch.exp(x))


def make_act(name):
    return {"silu": nn.SiLU, "gelu": nn.GELU, "selu": nn.SELU, "telu": TeLU}[name]()


class FeedForward(nn.Module):
    def __init__(self, d, d_ff, act, p):
        super().__init__()
        self.w1 = nn.Linear(d, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d, bias=False)
        self.w3 = nn.Linear(d, d_ff, bias=False)
        self.act = make_act(act)
        self.dropout = nn.Dropout(p)

    def forward(self, x):
        return self.dropout(self.w2(self.act(self.w1(x)) * self.w3(x)))


class PositionalTable(nn.Module):
    def __init__(self, d, max_len):
        super().__init__()
        pe = torch.zeros(max_len, d)
        position = torch.arange(0, max_len).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe.unsqueeze(0))


class TextEmbedding(nn.Module):
    def __init__(self, vocab, d, max_len, p):
        super().__init__()
        self.d = d
        self.embedding = nn.Embedding(vocab, d)
        self.pe = PositionalTable(d, max_len)
        self.dropout = nn.Dropout(p)

    def forward(self, ids, offset=0):
        x = self.embedding(ids) * math.sqrt(self.d) + self.pe.pe[:, offset:offset + ids.size(1), :]
        return self.dropout(x)


class Rotary(nn.Module):
    """rotary-embedding-torch 0.8.6 defaults: dim = qk_rope//2, theta 1e4, interleaved pairs, rotate the first dim
    features of the last axis only."""
    def __init__(self, dim):
        super().__init__()
        freqs = 1.0 / (10000 ** (torch.arange(0, dim, 2)[: dim // 2].float() / dim))
        self.freqs = nn.Parameter(freqs, requires_grad=False)

    def rotate(self, t, offset=0):
        s = t.size(-2)
        pos = torch.arange(s, dtype=self.freqs.dtype, device=self.freqs.device) + offset
        angles = torch.einsum("..., f -> ... f", pos, self.freqs)
        angles = angles.repeat_interleave(2, dim=-1)                     # θ0 θ0 θ1 θ1 …
        rot = angles.shape[-1]
        mid, right = t[..., :rot], t[..., rot:]
        pairs = mid.reshape(*mid.shape[:-1], rot // 2, 2)
        x1, x2 = pairs.unbind(-1)
        rotated = torch.stack((-x2, x1), dim=-1).reshape(mid.shape)
        mid = mid * angles.cos() + rotated * angles.sin()
        return torch.cat((mid, right), dim=-1)


def split_heads(t, h):            # einops 'b s (d h) -> b h s d'
    b, s, n = t.shape
    return t.view(b, s, n // h, h).permute(0, 3, 1, 2)


def merge_heads(t):               # einops 'b h s d -> b s (h d)'
    b, h, s, d = t.shape
    return t.permute(0, 2, 1, 3).reshape(b, s, h * d)


def attend(qh, kh, vh, nope, rope_dim, rope, mask, drop, q_offset=0):
    qn, qr = qh[..., :nope], qh[..., nope:]
    kn, kr = kh[..., :nope], kh[..., nope:]
    qr = rope.rotate(qr, q_offset)
    kr = rope.rotate(kr)
    s = (torch.einsum("bhqd,bhkd->bhqk", qn, kn) + torch.einsum("bhqd,bhkd->bhqk", qr, kr)) / math.sqrt(nope + rope_dim)
    if mask is not None:
        s = s.masked_fill(mask.unsqueeze(1) == 0, -1e9)
    p = drop(torch.softmax(s, dim=-1))
    return torch.einsum("bhqk,bhkd->bhqd", p, vh), p


class MHLAttention(nn.Module):
    def __init__(self, d, h, latent, nope, rope_dim, attn_p):
        super().__init__()
        dk = d // h
        self.h, self.nope, self.rope_dim = h, nope, rope_dim
        self.qkv_down_norm_up = nn.Sequential(nn.Linear(d, 3 * dk, bias=False), RMSNorm(3 * dk), nn.Linear(3 * dk, 3 * latent, bias=False))
        self.rope = Rotary(rope_dim // 2)
        self.wo = nn.Linear(latent, d, bias=False)
        self.drop = nn.Dropout(attn_p)

    def forward(self, x, mask=None):
        q, k, v = self.qkv_down_norm_up(x).chunk(3, dim=-1)
        o, self.attention_weights = attend(split_heads(q, self.h), split_heads(k, self.h), split_heads(v, self.h),
                                           self.nope, self.rope_dim, self.rope, mask, self.drop)
        return self.wo(merge_heads(o))


class CMHLAttention(nn.Module):
    def __init__(self, d, h, latent, nope, rope_dim, attn_p):
        super().__init__()
        dk = d // h
        self.h, self.nope, self.rope_dim = h, nope, rope_dim
        self.q_down_norm_up = nn.Sequential(nn.Linear(d, dk, bias=False), RMSNorm(dk), nn.Linear(dk, latent, bias=False))
        self.kv_down_norm_up = nn.Sequential(nn.Linear(d, 2 * dk, bias=False), RMSNorm(2 * dk), nn.Linear(2 * dk, 2 * latent, bias=False))
        self.rope = Rotary(rope_dim // 2)
        self.wo = nn.Linear(latent, d, bias=False)
        self.drop = nn.Dropout(attn_p)

    def forward(self, x, e):
        q = self.q_down_norm_up(x)
        k, v = self.kv_down_norm_up(e).chunk(2, dim=-1)
        o, self.attention_weights = attend(split_heads(q, self.h), split_heads(k, self.h), split_heads(v, self.h),
                                           self.nope, self.rope_dim, self.rope, None, self.drop)
        return self.wo(merge_heads(o))


class GatedFusion(nn.Module):
    def __init__(self, d, h, latent, nope, rope_dim, act, p, attn_p):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = RMSNorm(d), RMSNorm(d), RMSNorm(d)
        self.cross_attention = CMHLAttention(d, h, latent, nope, rope_dim, attn_p)
        self.gate = nn.Sequential(nn.Linear(2 * d, d), make_act(act), nn.Linear(d, d), nn.Sigmoid())
        self.global_proj = nn.Linear(2 * d, d)
        self.fusion = nn.Sequential(nn.Linear(3 * d, d), make_act(act), nn.Dropout(p), nn.Linear(d, d), nn.Dropout(p))

    def forward(self, x, e):
        nx, ne = self.norm1(x), self.norm2(e)
        a = self.cross_attention(nx, ne) + x
        g = self.global_proj(torch.cat([ne.mean(1, keepdim=True), ne.max(1, keepdim=True).values], dim=-1))
        na = self.norm3(a)
        gamma = self.gate(torch.cat([na, nx], dim=-1))
        m = gamma * na + (1 - gamma) * nx
        c = torch.cat([m, na, g.expand(-1, na.size(1), -1)], dim=-1)
        return self.fusion(c) + a


class MoEGate(nn.Module):
    def __init__(self, d, e, k):
        super().__init__()
        self.k = k
        self.gate = nn.Linear(d, e, bias=False)

    def forward(self, x):
        p = torch.softmax(self.gate(x), dim=-1)
        s, idx = torch.topk(p, self.k, dim=-1)
        s = s / s.sum(-1, keepdim=True)
        mean = p.mean(0)
        lb = (mean * torch.log(mean + 1e-8)).sum()
        return s, idx, lb


class MoE(nn.Module):
    """Official computation: every expert chosen by some token runs on all tokens (unrouted inputs zeroed);
    its output is multiplied by the token's Σ_k ŝ and accumulated in expert order."""
    def __init__(self, d, d_ff, e, k, act, p):
        super().__init__()
        self.experts = nn.ModuleList([FeedForward(d, d_ff, act, p) for _ in range(e)])
        self.gate = MoEGate(d, e, k)

    def forward(self, x):
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        s, idx, lb = self.gate(flat)
        out = torch.zeros_like(flat)
        ssum = s.sum(-1, keepdim=True)
        for e in range(len(self.experts)):
            sel = (idx == e).any(-1, keepdim=True)
            if not sel.any():
                continue
            out = out + self.experts[e](flat * sel.to(flat.dtype)) * ssum
        return out.reshape(shape), lb


class EncoderBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm_sa = RMSNorm(c["d_model"])
        self.self_attention = MHLAttention(c["d_model"], c["heads"], c["d_latent"], c["qk_nope"], c["qk_rope"], c["attn_dropout"])
        self.norm_ff = RMSNorm(c["d_model"])
        self.ff = FeedForward(c["d_model"], c["d_ff"], c["act"], c["dropout"])

    def forward(self, x):
        h = x + self.self_attention(self.norm_sa(x))
        return h + self.ff(self.norm_ff(h))


class DecoderBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.norm_sa = RMSNorm(d)
        self.self_attention = MHLAttention(d, c["heads"], c["d_latent"], c["qk_nope"], c["qk_rope"], c["attn_dropout"])
        self.gated_fusion = GatedFusion(d, c["heads"], c["d_latent"], c["qk_nope"], c["qk_rope"], c["act"], c["dropout"], c["attn_dropout"])
        self.norm_moe = RMSNorm(d)
        self.moe = MoE(d, c["d_ff"], c["experts"], c["k"], c["act"], c["dropout"])

    def forward(self, x, e, mask):
        h1 = x + self.self_attention(self.norm_sa(x), mask)
        h2 = h1 + self.gated_fusion(h1, e)
        z, lb = self.moe(self.norm_moe(h2))
        return h2 + z, lb


class Stack(nn.Module):
    def __init__(self, block, c):
        super().__init__()
        self.layers = nn.ModuleList([block(c) for _ in range(c["layers"])])


class VisEnc(nn.Module):
    def __init__(self, depth, d_v, grid):
        super().__init__()
        r = getattr(torchvision.models, f"resnet{depth}")(weights=None)
        self.layer1 = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1)
        self.layer2 = nn.Sequential(r.layer2)
        self.layer3 = nn.Sequential(r.layer3)
        self.layer4 = nn.Sequential(r.layer4)
        widths = [64, 128, 256, 512] if depth < 50 else [256, 512, 1024, 2048]
        for i, w in enumerate(widths):
            setattr(self, f"fpn_c{i + 2}", nn.Sequential(nn.Conv2d(w, d_v, 1, bias=True), nn.BatchNorm2d(d_v), nn.ReLU()))
        self.fusion = nn.Sequential(nn.Conv2d(d_v, d_v, 3, padding=1, bias=True), nn.BatchNorm2d(d_v), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(grid)

    def forward(self, x):
        c2 = self.layer1(x); c3 = self.layer2(c2); c4 = self.layer3(c3); c5 = self.layer4(c4)
        up = lambda a, b: F.interpolate(a, size=b.shape[-2:], mode="bilinear", align_corners=False)
        p5 = self.fpn_c5(c5)
        p4 = self.fpn_c4(c4) + up(p5, c4)
        p3 = self.fpn_c3(c3) + up(p4, c3)
        p2 = self.fpn_c2(c2) + up(p3, c2)
        f = self.fusion(p2 + up(p3, p2) + up(p4, p2) + up(p5, p2))
        return self.pool(f).flatten(2).transpose(1, 2)


class MicarVLMoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.vis_enc = VisEnc(c["depth"], c["d_v"], c.get("grid", 7))
        self.proj = nn.Sequential(RMSNorm(c["d_v"]), nn.Linear(c["d_v"], c["d_model"]))
        self.text_embs = TextEmbedding(c["vocab"], c["d_model"], c["T"], c["dropout"])
        self.encoder = Stack(EncoderBlock, c)
        self.decoder = Stack(DecoderBlock, c)
        self.gen_logits = nn.Sequential(RMSNorm(c["d_model"]), nn.Linear(c["d_model"], c["vocab"], bias=False))

    def encode(self, image):
        e = self.proj(self.vis_enc(image))
        for layer in self.encoder.layers:
            e = layer(e)
        return e

    def decode(self, ids, e, pad_mask=None):
        b, t = ids.shape
        mask = torch.tril(torch.ones(t, t, dtype=torch.long, device=ids.device)).expand(b, t, t)
        if pad_mask is not None:
            mask = mask & pad_mask[:, None, :]
        x = self.text_embs(ids)
        lbs = []
        for layer in self.decoder.layers:
            x, lb = layer(x, e, mask)
            lbs.append(lb)
        return self.gen_logits(x), sum(lbs) / len(lbs)

    def forward(self, image, ids, pad_mask=None):
        return self.decode(ids, self.encode(image), pad_mask)

    @torch.no_grad()
    def beam_search_official(self, image, sos=1, eos=2, pad=0, beam=3, max_len=None):
        """The official beam search: all beams start identical, full prefix recomputed each step, no EOS freezing."""
        max_len = max_len or self.c["T"]
        b = image.size(0)
        e = self.encode(image)
        e = e.repeat_interleave(beam, dim=0)
        dev = image.device
        seq = torch.full((b * beam, 1), sos, dtype=torch.long, device=dev)
        scores = torch.zeros(b, beam, device=dev)
        for step in range(max_len):
            logits, _ = self.decode(seq, e)
            logp = torch.log_softmax(logits[:, -1, :], dim=-1).view(b, beam, -1)
            cand = (scores.unsqueeze(-1) + logp).view(b, -1)
            scores, idx = cand.topk(beam, dim=-1)
            v = logp.size(-1)
            token, origin = idx % v, idx // v
            base = (torch.arange(b, device=dev) * beam).unsqueeze(1)
            seq = torch.cat([seq[(base + origin).view(-1)], token.view(-1, 1)], dim=1)
            if (token == eos).all():
                break
        best = scores.argmax(-1)
        out = seq.view(b, beam, -1)[torch.arange(b, device=dev), best]
        if out.size(1) < max_len:
            out = torch.cat([out, torch.full((b, max_len - out.size(1)), pad, dtype=torch.long, device=dev)], 1)
        return out


def official_init(model):
    """§4.12: xavier_uniform_ for every ≥2-d parameter outside vis_enc; everything else PyTorch defaults."""
    for name, p in model.named_parameters():
        if not name.startswith("vis_enc.") and p.dim() >= 2:
            nn.init.xavier_uniform_(p)

