"""The twin of src/models/gpt/model.ts: GPT-2 in Hugging Face's names (wte, wpe, h.N.ln_1/attn/ln_2/mlp,
ln_f), Conv1D projections stored (in, out), the output layer tied to wte. config.json is GPT2Config's."""
import math

import torch
from torch import nn
import torch.nn.functional as F

from .common import causal_mask


def resolve_config(j):
    """The fields llmcore reads from a GPT-2 config.json (gptConfigFromHf), with its defaults."""
    n_pos = j.get('n_positions', j.get('n_ctx'))
    c = {
        'vocab_size': j['vocab_size'], 'n_positions': n_pos, 'n_embd': j['n_embd'], 'n_layer': j['n_layer'], 'n_head': j['n_head'],
        'n_inner': j.get('n_inner'), 'layer_norm_epsilon': j.get('layer_norm_epsilon', 1e-5),
        'activation_function': j.get('activation_function', 'gelu_new'), 'embd_pdrop': j.get('embd_pdrop', 0.1),
        'attn_pdrop': j.get('attn_pdrop', 0.1), 'resid_pdrop': j.get('resid_pdrop', 0.1),
        'scale_attn_by_inverse_layer_idx': j.get('scale_attn_by_inverse_layer_idx', False),
    }
    if c['n_inner'] is None:
        c['n_inner'] = 4 * c['n_embd']
    return c


def activate(x, kind):
    if kind in ('gelu_new', 'gelu_pytorch_tanh', 'gelu_fast'):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
    if kind == 'gelu':
        return F.gelu(x)
    if kind == 'relu':
        return F.relu(x)
    if kind == 'tanh':
        return torch.tanh(x)
    raise ValueError(f'gpt config: activation_function {kind!r} is not one llmcore computes')


class Conv1D(nn.Module):
    """GPT-2's projection: y = x W + b with W stored (in, out)."""

    def __init__(self, n_out, n_in, std=0.02):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * std)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).reshape(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, c, index):
        super().__init__()
        C = c['n_embd']
        self.c, self.index = c, index
        resid_std = 0.02 / math.sqrt(2 * c['n_layer'])
        self.c_attn = Conv1D(3 * C, C)
        self.c_proj = Conv1D(C, C, resid_std)
        self.attn_drop = nn.Dropout(c['attn_pdrop'])
        self.resid_drop = nn.Dropout(c['resid_pdrop'])

    def forward(self, x):
        B, T, C = x.shape
        H = self.c['n_head']
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.reshape(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
        if self.c['scale_attn_by_inverse_layer_idx']:
            q = q * (1.0 / (self.index + 1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(C // H)
        scores = scores.masked_fill(causal_mask(T, x.device), float('-inf'))
        y = self.attn_drop(scores.softmax(-1)) @ v
        return self.resid_drop(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.kind = c['activation_function']
        self.c_fc = Conv1D(c['n_inner'], c['n_embd'])
        self.c_proj = Conv1D(c['n_embd'], c['n_inner'], 0.02 / math.sqrt(2 * c['n_layer']))
        self.drop = nn.Dropout(c['resid_pdrop'])

    def forward(self, x):
        return self.drop(self.c_proj(activate(self.c_fc(x), self.kind)))


class Block(nn.Module):
    def __init__(self, c, index):
        super().__init__()
        eps = c['layer_norm_epsilon']
        self.ln_1 = nn.LayerNorm(c['n_embd'], eps=eps)
        self.attn = Attention(c, index)
        self.ln_2 = nn.LayerNorm(c['n_embd'], eps=eps)
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GptModel(nn.Module):
    def __init__(self, hf_config):
        super().__init__()
        c = self.config = resolve_config(hf_config)
        self.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        self.wpe = nn.Embedding(c['n_positions'], c['n_embd'])
        nn.init.normal_(self.wte.weight, 0, 0.02)
        nn.init.normal_(self.wpe.weight, 0, 0.02)
        self.drop = nn.Dropout(c['embd_pdrop'])
        self.h = nn.ModuleList(Block(c, i) for i in range(c['n_layer']))
        self.ln_f = nn.LayerNorm(c['n_embd'], eps=c['layer_norm_epsilon'])

    def forward(self, ids):
        """ids (B, T) → logits (B, T, V) = ln_f(h) · wteᵀ."""
        T = ids.shape[1]
        if T > self.config['n_positions']:
            raise ValueError(f"gpt: {T} positions exceed the context of {self.config['n_positions']} (n_positions)")
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(T, device=ids.device)))
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)

    def loss(self, logits, targets):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
