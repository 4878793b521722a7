"""The twin of src/models/lm/model.ts: llmcore's word language models (rnn, lstm, gru, transformer).

Names as llmcore's (PyTorch's word_language_model example): encoder, rnn (weight_ih_l0, …),
transformer_encoder.layers.N.* with a final transformer_encoder.norm, decoder. The recurrent kinds
apply dropout to the embeddings and to the top layer's output; the Transformer is pre-LN with a causal
mask, embeddings × √E plus the sinusoidal table.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

from .common import causal_mask, sinusoidal_table

KINDS = ('rnn', 'lstm', 'gru', 'transformer')


def resolve_config(c):
    """config.json's "model" section with llmcore's defaults (resolveWordLMConfig)."""
    emb = c.get('embDim', 64)
    r = {'embDim': emb, 'hiddenSize': 128, 'numLayers': 1, 'dropout': 0.1, 'nhead': 4, 'dimFeedforward': 4 * emb,
         'context': 64, 'tieWeights': False, **c}
    if r.get('kind') not in KINDS:
        raise ValueError(f"lm config: model.kind must be one of {', '.join(KINDS)}, got {r.get('kind')!r}")
    return r


class WordLM(nn.Module):
    def __init__(self, model_config):
        super().__init__()
        c = self.config = resolve_config(model_config)
        E = c['embDim']
        self.kind = c['kind']
        self.encoder = nn.Embedding(c['vocabSize'], E)
        self.drop = nn.Dropout(c['dropout'])
        width = E
        if self.kind == 'transformer':
            layer = nn.TransformerEncoderLayer(E, c['nhead'], c['dimFeedforward'], c['dropout'], batch_first=True, norm_first=True)
            self.transformer_encoder = nn.TransformerEncoder(layer, c['numLayers'], nn.LayerNorm(E), enable_nested_tensor=False)
            self.register_buffer('pe', sinusoidal_table(c['context'], E), persistent=False)
        else:
            Layer = {'rnn': nn.RNN, 'lstm': nn.LSTM, 'gru': nn.GRU}[self.kind]
            self.rnn = Layer(E, c['hiddenSize'], num_layers=c['numLayers'], dropout=c['dropout'] if c['numLayers'] > 1 else 0.0, batch_first=True)
            width = c['hiddenSize']
        self.decoder = nn.Linear(width, c['vocabSize'])
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if c['tieWeights']:
            self.decoder.weight = self.encoder.weight

    def forward(self, ids, state=None):
        """ids (B, T) → logits (B, T, V) and the state after the last position (None for the Transformer)."""
        emb = self.encoder(ids)
        if self.kind == 'transformer':
            T = ids.shape[1]
            if T > self.config['context']:
                raise ValueError(f"lm: {T} positions exceed the Transformer's context of {self.config['context']}")
            x = self.drop(emb * math.sqrt(self.config['embDim']) + self.pe[:T])
            h = self.transformer_encoder(x, mask=causal_mask(T, ids.device))
            return self.decoder(self.drop(h)), None
        out, state = self.rnn(self.drop(emb), state)
        return self.decoder(self.drop(out)), state

    def loss(self, logits, targets):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
