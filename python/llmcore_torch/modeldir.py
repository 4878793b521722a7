"""llmcore model directories, read and written as they are: config.json (the model's own format),
model.safetensors (llmcore's = PyTorch's parameter names), and the tokenizer files, which are copied
byte for byte and never interpreted here (the tokenizer lives in llmcore)."""
import json
import os
import shutil

import torch

from . import safetensors_io
from .gpt import GptModel
from .lm import WordLM
from .translator import Seq2SeqTransformer

WEIGHTS = 'model.safetensors'
CONFIG = 'config.json'
STEP_KEY = 'llmcore.step'
GPT_PREFIX = 'transformer.'


class ModelDirError(ValueError):
    pass


def read_config(path):
    cfg_path = os.path.join(path, CONFIG)
    if not os.path.isfile(cfg_path):
        raise ModelDirError(f'{path}: no {CONFIG} (is this a model directory llmcore wrote?)')
    try:
        with open(cfg_path, encoding='utf-8') as f:
            return json.load(f)
    except ValueError as e:
        raise ModelDirError(f'{cfg_path}: not JSON ({e})') from None


def kind_of(config):
    """'translator', 'lm' or 'gpt', from config.json's own fields."""
    fmt = config.get('format')
    if fmt == 'llmcore-translator':
        return 'translator'
    if fmt == 'llmcore-lm':
        return 'lm'
    if fmt is None and 'n_embd' in config:
        return 'gpt'
    raise ModelDirError(f'config.json: format {fmt!r} is not one the twin knows (llmcore-translator, llmcore-lm, or a GPT-2 config)')


def build(config):
    kind = kind_of(config)
    if kind == 'translator':
        return Seq2SeqTransformer(config['model'])
    if kind == 'lm':
        return WordLM(config['model'])
    return GptModel(config)


def state_for_file(model, kind):
    """The state dict as llmcore's files hold it: tied weights under each name, GPT names prefixed as save_pretrained does."""
    state = {k: v.detach() for k, v in model.state_dict(keep_vars=False).items()}
    if kind == 'gpt':
        state = {GPT_PREFIX + k: v for k, v in state.items()}
    return state


def load(path, device='cpu'):
    """(model, config, step) from a model directory; the model is in eval mode, float32."""
    config = read_config(path)
    kind = kind_of(config)
    model = build(config)
    wpath = os.path.join(path, WEIGHTS)
    if not os.path.isfile(wpath):
        raise ModelDirError(f'{path}: no {WEIGHTS}')
    tensors, metadata = safetensors_io.load(wpath)
    if kind == 'gpt':
        tensors = {k[len(GPT_PREFIX):] if k.startswith(GPT_PREFIX) else k: v for k, v in tensors.items()}
        tensors.pop('lm_head.weight', None)
        tensors = {k: v for k, v in tensors.items() if not (k.endswith('.attn.bias') and v.dim() == 4) and not k.endswith('.attn.masked_bias')}
    tensors = {k: v.to(torch.float32) for k, v in tensors.items()}
    want = model.state_dict()
    missing = sorted(set(want) - set(tensors))
    extra = sorted(set(tensors) - set(want))
    if missing or extra:
        raise ModelDirError(f'{wpath} does not fit {os.path.join(path, CONFIG)}: missing {missing[:5]}, unexpected {extra[:5]}')
    for k, v in tensors.items():
        if tuple(v.shape) != tuple(want[k].shape):
            raise ModelDirError(f"{wpath}: '{k}' is {list(v.shape)}, config.json makes it {list(want[k].shape)}")
    model.load_state_dict(tensors)
    model.eval()
    return model.to(device), config, int(metadata.get(STEP_KEY, 0))


def save(path, model, config, source_dir, step=0, dtype=torch.float32):
    """Writes a model directory: the weights (F32 unless told), config.json, and every other file of
    `source_dir` (the tokenizer) copied untouched."""
    os.makedirs(path, exist_ok=True)
    kind = kind_of(config)
    state = {k: v.to('cpu', dtype) for k, v in state_for_file(model, kind).items()}
    metadata = {'format': 'pt', STEP_KEY: str(step)}
    if kind == 'lm':
        metadata['llmcore.kind'] = config['model']['kind']
    safetensors_io.save(os.path.join(path, WEIGHTS), state, metadata)
    tmp = os.path.join(path, CONFIG + '.tmp')
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(json.dumps(config, indent=2) + '\n')
    os.replace(tmp, os.path.join(path, CONFIG))
    for name in sorted(os.listdir(source_dir)):
        src = os.path.join(source_dir, name)
        if name in (WEIGHTS, CONFIG) or not os.path.isfile(src) or name.endswith('.tmp') or name.startswith('train-state'):
            continue
        shutil.copyfile(src, os.path.join(path, name))
