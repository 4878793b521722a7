"""Command-line helpers of the twin (used by llmcore's interop tests, handy by hand):

    python3 -m llmcore_torch logits --model DIR --inputs in.json --out logits.safetensors
        in.json: {"src": [[…]], "tgt": [[…]]} for a translator (tgt is the decoder input),
                 {"ids": [[…]]} for a language model or a GPT; rows of equal length, 0 = padding.
        Writes "logits" (B, T, V) float32, computed in eval mode.
    python3 -m llmcore_torch init --like DIR --out DIR2 [--seed N]
        A freshly initialised twin of DIR's model (torch's own seeded init), saved as an llmcore model
        directory with DIR's config.json and tokenizer files.
    python3 -m llmcore_torch batch jobs.json
        Runs [{"cmd": "logits" | "init", …the options above by name…}, …] in one process (torch is
        imported once).
"""
import argparse
import json
import sys

import torch

from . import modeldir, safetensors_io


def logits(a):
    model, config, _ = modeldir.load(a.model)
    with open(a.inputs, encoding='utf-8') as f:
        inp = json.load(f)
    kind = modeldir.kind_of(config)
    with torch.no_grad():
        if kind == 'translator':
            out = model(torch.tensor(inp['src'], dtype=torch.long), torch.tensor(inp['tgt'], dtype=torch.long))
        elif kind == 'lm':
            out, _ = model(torch.tensor(inp['ids'], dtype=torch.long))
        else:
            out = model(torch.tensor(inp['ids'], dtype=torch.long))
    safetensors_io.save(a.out, {'logits': out.to(torch.float32)}, {'kind': kind})


def init(a):
    torch.manual_seed(a.seed)
    config = modeldir.read_config(a.like)
    model = modeldir.build(config)
    model.eval()
    modeldir.save(a.out, model, config, a.like, step=0)


def main(argv):
    p = argparse.ArgumentParser(prog='python3 -m llmcore_torch', description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    lp = sub.add_parser('logits', help='logits of a model directory on given ids')
    lp.add_argument('--model', required=True)
    lp.add_argument('--inputs', required=True)
    lp.add_argument('--out', required=True)
    ip = sub.add_parser('init', help='a freshly initialised twin of a model directory')
    ip.add_argument('--like', required=True)
    ip.add_argument('--out', required=True)
    ip.add_argument('--seed', type=int, default=0)
    bp = sub.add_parser('batch', help='run several logits/init jobs from a JSON file')
    bp.add_argument('jobs')
    a = p.parse_args(argv)
    try:
        if a.cmd == 'batch':
            with open(a.jobs, encoding='utf-8') as f:
                for job in json.load(f):
                    job = dict(job)
                    cmd = job.pop('cmd')
                    {'logits': logits, 'init': init}[cmd](argparse.Namespace(**{'seed': 0, **job}))
        else:
            {'logits': logits, 'init': init}[a.cmd](a)
    except (ValueError, OSError, KeyError) as e:
        print(f'llmcore_torch {a.cmd}: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
