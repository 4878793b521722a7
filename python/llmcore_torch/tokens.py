"""Reads the token files `llmcore data tokenize` writes (src/data/token-file.ts describes the format):
NAME (little-endian uint16/uint32 ids and uint32 offsets per stream) and NAME.json (the index).
Plain Python (array, struct): the ids llmcore's tokenizer produced, unchanged."""
import array
import hashlib
import json
import os
import sys

FORMAT = 'llmcore-tokens'
TOKENIZER_FILES = ('tokenizer.json', 'vocab.json', 'merges.txt', 'char-vocab.json')


class TokenFileError(ValueError):
    pass


def tokenizer_hash(model_dir):
    """sha256 over a model directory's tokenizer files, as cli/data-tokenize.ts computes it."""
    h = hashlib.sha256()
    for name in TOKENIZER_FILES:
        p = os.path.join(model_dir, name)
        if os.path.isfile(p):
            h.update(name.encode() + b'\0')
            with open(p, 'rb') as f:
                h.update(f.read())
            h.update(b'\0')
    return h.hexdigest()


def _array(code, raw):
    a = array.array(code)
    a.frombytes(raw)
    if sys.byteorder != 'little':
        a.byteswap()
    return a


def read(path):
    """(index, {stream: list of sequences (lists of ints)}). `path` is the binary file; its index is path.json."""
    index_path = path + '.json'
    for p in (path, index_path):
        if not os.path.isfile(p):
            raise TokenFileError(f'{p}: no such file (write it with `llmcore data tokenize`)')
    with open(index_path, encoding='utf-8') as f:
        try:
            index = json.load(f)
        except ValueError as e:
            raise TokenFileError(f'{index_path}: not JSON ({e})') from None
    if index.get('format') != FORMAT or index.get('version') != 1:
        raise TokenFileError(f'{index_path}: not an {FORMAT} v1 index (format {index.get("format")!r}, version {index.get("version")!r})')
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) != index['byteLength']:
        raise TokenFileError(f"{path}: {len(data)} bytes but its index says {index['byteLength']}; truncated, or another file's index?")
    code, width = {'uint16': ('H', 2), 'uint32': ('I', 4)}[index['dtype']]
    n = index['sequences']
    out = {}
    for name, s in index['streams'].items():
        ids = _array(code, data[s['idsAt']:s['idsAt'] + s['tokens'] * width])
        offsets = _array('I', data[s['offsetsAt']:s['offsetsAt'] + (n + 1) * 4])
        if len(ids) != s['tokens'] or len(offsets) != n + 1 or offsets[0] != 0 or offsets[n] != s['tokens']:
            raise TokenFileError(f"{path}: stream '{name}' does not match its index")
        vocab = index['vocab'][name]
        if s['tokens'] and max(ids) >= vocab:
            raise TokenFileError(f"{path}: stream '{name}' holds id {max(ids)}, outside its vocabulary of {vocab}")
        ids = ids.tolist()
        out[name] = [ids[offsets[i]:offsets[i + 1]] for i in range(n)]
    return index, out


def check_tokenizer(index, path, model_dir):
    """Refuses a token file written with another tokenizer than `model_dir`'s."""
    want = (index.get('tokenizer') or {}).get('sha256')
    have = tokenizer_hash(model_dir)
    if want != have:
        raise TokenFileError(f"{path}: written with another tokenizer than {model_dir}'s (sha256 {str(want)[:12]}… vs {have[:12]}…); tokenize it with `llmcore data tokenize --model {model_dir}`")
