"""The twin of src/models/seq2seq/model.ts: llmcore's zh→en Transformer in plain PyTorch.

Children carry llmcore's (and so PyTorch's nn.Transformer's) names — src_emb, tgt_emb, transformer.
encoder/decoder.layers.N.*, transformer.encoder.norm, transformer.decoder.norm, out — so a
model.safetensors written by either engine loads into the other as it is. The computation is
llmcore's: embeddings × √C plus the sinusoidal table, post-LN (or pre-LN with normFirst) layers with
final encoder and decoder LayerNorms, id 0 (padId) masked as a key everywhere, and `out` optionally
tied to tgt_emb.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

from .common import causal_mask, sinusoidal_table

DEFAULTS = {
    'dModel': 128, 'nhead': 4, 'numEncoderLayers': 2, 'numDecoderLayers': 2, 'dimFeedforward': 512, 'dropout': 0.1,
    'maxLen': 256, 'normFirst': False, 'tieOutput': False, 'activation': 'relu', 'padId': 0, 'labelSmoothing': 0.1,
    'layerNormEps': 1e-5,
}


def resolve_config(model_config):
    """config.json's "model" section with llmcore's defaults filled in (resolveSeq2SeqConfig)."""
    c = {**DEFAULTS, **model_config}
    for k in ('srcVocab', 'tgtVocab'):
        if k not in c:
            raise ValueError(f'translator config: model.{k} is missing')
    return c


class Seq2SeqTransformer(nn.Module):
    def __init__(self, model_config):
        super().__init__()
        c = self.config = resolve_config(model_config)
        C = c['dModel']
        self.src_emb = nn.Embedding(c['srcVocab'], C)
        self.tgt_emb = nn.Embedding(c['tgtVocab'], C)
        kw = dict(d_model=C, nhead=c['nhead'], dim_feedforward=c['dimFeedforward'], dropout=c['dropout'],
                  activation=c['activation'], layer_norm_eps=c['layerNormEps'], batch_first=True, norm_first=c['normFirst'])
        self.transformer = nn.Module()
        # nested tensors would zero the padded positions of the encoder output in eval mode: llmcore keeps them
        self.transformer.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kw), c['numEncoderLayers'],
                                                         nn.LayerNorm(C, eps=c['layerNormEps']), enable_nested_tensor=False)
        self.transformer.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**kw), c['numDecoderLayers'],
                                                         nn.LayerNorm(C, eps=c['layerNormEps']))
        self.out = nn.Linear(C, c['tgtVocab'])
        self.pos_drop = nn.Dropout(c['dropout'])
        self.register_buffer('pe', sinusoidal_table(c['maxLen'], C), persistent=False)
        self.scale = math.sqrt(C)
        for p in self.transformer.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        nn.init.xavier_uniform_(self.src_emb.weight)
        nn.init.xavier_uniform_(self.tgt_emb.weight)
        if c['tieOutput']:
            self.out.weight = self.tgt_emb.weight

    def _embed(self, emb, ids, offset=0):
        T = ids.shape[1]
        if offset + T > self.config['maxLen']:
            raise ValueError(f"translator: positions {offset}…{offset + T - 1} exceed maxLen {self.config['maxLen']}")
        return self.pos_drop(emb(ids) * self.scale + self.pe[offset:offset + T])

    def encode(self, src):
        """src (B, S) → memory (B, S, C), source padding mask (B, S) bool."""
        pad = src == self.config['padId']
        memory = self.transformer.encoder(self._embed(self.src_emb, src), src_key_padding_mask=pad)
        return memory, pad

    def decode(self, tgt_in, memory, src_pad):
        """Teacher-forced decoding: tgt_in (B, T) → logits (B, T, V)."""
        T = tgt_in.shape[1]
        h = self.transformer.decoder(self._embed(self.tgt_emb, tgt_in), memory, tgt_mask=causal_mask(T, tgt_in.device),
                                     tgt_key_padding_mask=tgt_in == self.config['padId'], memory_key_padding_mask=src_pad)
        return self.out(h)

    def forward(self, src, tgt_in):
        memory, pad = self.encode(src)
        return self.decode(tgt_in, memory, pad)

    def loss(self, logits, tgt_out):
        """Mean cross-entropy over non-pad targets with label smoothing, as llmcore's Seq2SeqTransformer.loss."""
        V = logits.shape[-1]
        return F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=self.config['padId'],
                               label_smoothing=self.config['labelSmoothing'])

    @torch.no_grad()
    def greedy(self, src, bos, eos, max_len=None):
        """Greedy decoding without a cache (the prefix is recomputed): ids per row, without bos/eos."""
        max_len = max_len or self.config['maxLen'] - 1
        memory, pad = self.encode(src)
        B = src.shape[0]
        ys = torch.full((B, 1), bos, dtype=torch.long, device=src.device)
        done = torch.zeros(B, dtype=torch.bool, device=src.device)
        for _ in range(max_len):
            nxt = self.decode(ys, memory, pad)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
            ys = torch.cat([ys, nxt[:, None]], 1)
            done |= nxt == eos
            if bool(done.all()):
                break
        out = []
        for row in ys[:, 1:].tolist():
            out.append(row[:row.index(eos)] if eos in row else row)
        return out
