"""safetensors files without the `safetensors` package (Debian's python3-torch does not ship it).

The format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets},
"__metadata__": {str: str}}, then the tensors' bytes back to back, little-endian, row-major.
llmcore's src/io/safetensors.ts reads and writes the same bytes.
"""
import json
import struct
import sys

import torch

_DTYPES = {
    'F64': (torch.float64, 8), 'F32': (torch.float32, 4), 'F16': (torch.float16, 2), 'BF16': (torch.bfloat16, 2),
    'I64': (torch.int64, 8), 'I32': (torch.int32, 4), 'I16': (torch.int16, 2), 'I8': (torch.int8, 1), 'U8': (torch.uint8, 1),
    'BOOL': (torch.bool, 1),
}
_NAMES = {dt: name for name, (dt, _) in _DTYPES.items()}


class SafetensorsError(ValueError):
    pass


def read_header(path):
    """(header dict without __metadata__, metadata dict, offset of the data section)."""
    with open(path, 'rb') as f:
        first = f.read(8)
        if len(first) < 8:
            raise SafetensorsError(f'{path}: too short to be a safetensors file ({len(first)} bytes)')
        (n,) = struct.unpack('<Q', first)
        raw = f.read(n)
        if len(raw) < n:
            raise SafetensorsError(f'{path}: header length {n} runs past the end of the file')
    try:
        header = json.loads(raw.decode('utf-8'))
    except ValueError as e:
        raise SafetensorsError(f'{path}: unreadable header ({e})') from None
    metadata = header.pop('__metadata__', None) or {}
    return header, metadata, 8 + n


def load(path):
    """{name: tensor} and the metadata of a safetensors file; tensors keep the file's dtype."""
    header, metadata, start = read_header(path)
    with open(path, 'rb') as f:
        f.seek(start)
        data = f.read()
    out = {}
    for name, info in header.items():
        if info.get('dtype') not in _DTYPES:
            raise SafetensorsError(f"{path}: tensor '{name}' has unsupported dtype {info.get('dtype')!r}")
        dtype, size = _DTYPES[info['dtype']]
        begin, end = info['data_offsets']
        shape = list(info['shape'])
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size or end > len(data):
            raise SafetensorsError(f"{path}: tensor '{name}' has {end - begin} bytes for shape {shape} {info['dtype']}")
        if count == 0:
            t = torch.zeros(shape, dtype=dtype)
        else:
            # bytearray: frombuffer wants a writable buffer, and the copy frees us from `data`
            t = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(shape)
            if sys.byteorder != 'little' and size > 1:
                t = t.view(torch.uint8).reshape(-1, size).flip(1).reshape(-1).view(dtype).reshape(shape)
        out[name] = t
    return out, metadata


def save(path, tensors, metadata=None):
    """Writes {name: tensor} (each in its own dtype), names sorted, header padded to 8 bytes."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in _NAMES:
            raise SafetensorsError(f"safetensors: tensor '{name}' has unsupported dtype {t.dtype}")
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b''
        if sys.byteorder != 'little' and t.element_size() > 1:
            raw = t.reshape(-1).view(torch.uint8).reshape(-1, t.element_size()).flip(1).numpy().tobytes()
        header[name] = {'dtype': _NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    tmp = f'{path}.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    import os
    os.replace(tmp, path)
