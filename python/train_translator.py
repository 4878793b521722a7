"""Trains llmcore's translator with PyTorch's distributed data parallel, from token files llmcore wrote.

    torchrun --nproc_per_node=N python/train_translator.py --init DIR --train train.tokens --dev dev.tokens --out RUN

DIR is a translator model directory (`llmcore data tokenize --new` writes one with llmcore's own
initial weights; any trained one works too); the token files are `llmcore data tokenize --model DIR`'s.
RUN is laid out as `llmcore train translate` lays out its runs, and `llmcore translate --model RUN`
reads it: RUN/last (the latest checkpoint: a model directory plus train-state.pt) and RUN/best (the
model with the best dev figure), each replaced as a whole (written to X.next, then X → X.prev,
X.next → X), RUN/log.jsonl (one line per evaluation), RUN/run.json.

The schedule is llmcore's: Adam (β 0.9/0.98, ε 1e-9) with the Noam warmup
lr = lrFactor · dModel^-0.5 · min(s^-0.5, s · warmup^-1.5), label-smoothed cross-entropy over non-pad
targets, the global gradient-norm clip, the epoch's batches from llmcore's seeded length buckets
(the same batches in the same order as `llmcore train translate` with one process). With N processes a
step takes the next N batches, one per process, and averages their gradients (DDP); the step count,
and so the schedule, counts optimizer steps. Stops after `epochs`, `maxSteps` or `timeBudgetSeconds`
(config.json's training section; --epochs/--max-steps/--time-budget override them, also on --resume).
After each epoch and on a stop the dev set is evaluated, best/ is replaced when dev loss improves, and
last/ is replaced. Differences from llmcore, by design: the best checkpoint is chosen by dev loss, not
by greedy BLEU (BLEU needs the detokenizer, which lives in llmcore: `llmcore eval translate --model
RUN/best` measures it); dropout draws from torch's generator, seeded by (seed, step, rank), so a
resumed run draws the same masks as an uninterrupted one but not llmcore's.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

from llmcore_torch import modeldir, tokens  # noqa: E402
from llmcore_torch.batching import bucket_batches, epoch_batches  # noqa: E402

CHAPTER = 'translate-torch'
STATE = 'train-state.pt'
RESUMABLE = ('epochs', 'maxSteps', 'timeBudgetSeconds')


class Refused(Exception):
    """A problem with the command line or the files: one line, no traceback."""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--init', help='translator model directory to start from (not needed with --resume)')
    p.add_argument('--train', required=True, help='training token file (llmcore data tokenize --pairs)')
    p.add_argument('--dev', required=True, help='dev token file, for the dev loss that chooses best/')
    p.add_argument('--out', required=True, help='run folder: last/, best/, log.jsonl, run.json')
    p.add_argument('--resume', action='store_true', help='continue the run in --out from its last checkpoint')
    p.add_argument('--force', action='store_true', help='delete the checkpoints and log of the run in --out and start over')
    p.add_argument('--epochs', type=int, help='stop after this many epochs (default: config.json training.epochs)')
    p.add_argument('--max-steps', type=int, help='stop after this many optimizer steps (0: no limit)')
    p.add_argument('--time-budget', type=float, help='stop after this many seconds of training (0: no limit)')
    p.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto', help='cuda (NCCL) when available, else cpu (gloo)')
    p.add_argument('--quiet', action='store_true')
    return p.parse_args(argv)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def noam(d_model, warmup, factor):
    def lr(step):
        s = max(step, 1)  # as llmcore's noam(): step 0 would divide by zero
        return factor * d_model ** -0.5 * min(s ** -0.5, s * warmup ** -1.5)
    return lr


def pad(rows, device):
    T = max(len(r) for r in rows)
    out = torch.zeros(len(rows), T, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r, dtype=torch.long)
    return out.to(device)


def batch_tensors(pairs, idx, device):
    """(src, tgt_in, tgt_out, target tokens) as llmcore's batchTensors."""
    rows = [pairs[i] for i in idx]
    return (pad([s for s, _ in rows], device), pad([t[:-1] for _, t in rows], device), pad([t[1:] for _, t in rows], device),
            sum(len(t) - 1 for _, t in rows))


def find_checkpoint(d):
    for c in (d, d + '.prev'):
        if os.path.isfile(os.path.join(c, STATE)):
            return c
    return None


def replace_directory(d, write):
    """Writes d as one unit (llmcore's replaceDirectory): d.next, then d → d.prev, d.next → d."""
    nxt, prev = d + '.next', d + '.prev'
    shutil.rmtree(nxt, ignore_errors=True)
    write(nxt)
    shutil.rmtree(prev, ignore_errors=True)
    if os.path.exists(d):
        os.rename(d, prev)
    os.rename(nxt, d)
    shutil.rmtree(prev, ignore_errors=True)


def prepare_run_dir(out, resume, force):
    """As llmcore's prepareRunDirectory: never writes into someone else's folder or over a run by accident."""
    last = os.path.join(out, 'last')
    info_path = os.path.join(out, 'run.json')
    if resume and force:
        raise Refused(f'--resume and --force contradict each other: --resume continues the run in {out}, --force deletes it')
    if os.path.exists(out) and not os.path.isdir(out):
        raise Refused(f'--out {out} is a file; give a folder for the run')
    entries = os.listdir(out) if os.path.isdir(out) else []
    is_run = False
    if os.path.isfile(info_path):
        try:
            with open(info_path, encoding='utf-8') as f:
                info = json.load(f)
        except ValueError:
            info = {}
        if info.get('format') != 'llmcore-run':
            raise Refused(f'--out {out} holds a run.json that is not an llmcore run; choose another folder')
        if info.get('chapter') != CHAPTER:
            raise Refused(f"--out {out} holds an llmcore {info.get('chapter')} run, not a {CHAPTER} run; choose another folder")
        is_run = True
    elif entries:
        raise Refused(f"--out {out} already holds files that are not an llmcore {CHAPTER} run ({', '.join(sorted(entries)[:5])}); choose a new or empty folder")
    if is_run and resume:
        found = find_checkpoint(last)
        if not found:
            raise Refused(f'--resume: {out} holds no checkpoint to resume (no {os.path.join(last, STATE)}); drop --resume to start over with --force')
        return found
    if is_run and not force:
        raise Refused(f'--out {out} already holds a {CHAPTER} run; add --resume to continue it, or --force to delete its checkpoints and log and start over')
    if resume:
        raise Refused(f'--resume: {out} holds no run to resume; drop --resume to start one')
    for e in ('last', 'best', 'last.prev', 'last.next', 'best.prev', 'best.next', 'log.jsonl'):
        p = os.path.join(out, e)
        shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else (os.path.exists(p) and os.remove(p))
    os.makedirs(out, exist_ok=True)
    with open(info_path, 'w', encoding='utf-8') as f:
        json.dump({'format': 'llmcore-run', 'chapter': CHAPTER, 'created': datetime.datetime.utcnow().isoformat() + 'Z'}, f, indent=2)
        f.write('\n')
    return None


def read_pairs(path, model_dir):
    try:
        index, streams = tokens.read(path)
        tokens.check_tokenizer(index, path, model_dir)
    except tokens.TokenFileError as e:
        raise Refused(str(e)) from None
    if index.get('kind') != 'pairs':
        raise Refused(f"{path}: holds {index.get('kind')}, not translation pairs (tokenize with --pairs)")
    return list(zip(streams['src'], streams['tgt']))


def main(argv):
    a = parse_args(argv)
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    use_cuda = a.device == 'cuda' or (a.device == 'auto' and torch.cuda.is_available())
    if use_cuda:
        torch.cuda.set_device(local_rank)
    device = torch.device('cuda', local_rank) if use_cuda else torch.device('cpu')
    distributed = world > 1
    if distributed:
        dist.init_process_group('nccl' if use_cuda else 'gloo')
    say = (lambda *_: None) if (rank != 0 or a.quiet) else (lambda msg: print(msg, file=sys.stderr, flush=True))

    def agree(ok_msg):
        """Every rank learns whether rank 0 refused (so none waits forever on a collective)."""
        if not distributed:
            if ok_msg:
                raise Refused(ok_msg)
            return
        flag = torch.tensor([1.0 if ok_msg else 0.0], device=device)
        dist.broadcast(flag, 0)
        if flag.item():
            raise Refused(ok_msg or 'rank 0 refused the run (see its message)')

    # rank 0 alone touches the run folder; the others learn the outcome
    msg = None
    resume_from = None
    if rank == 0:
        try:
            # the inputs are checked before the folder is claimed, as llmcore does
            if not a.resume and not a.init:
                raise Refused('give --init DIR (the translator model directory to start from) or --resume')
            for option, path in (('--train', a.train), ('--dev', a.dev), ('--train', a.train + '.json'), ('--dev', a.dev + '.json')):
                if not os.path.isfile(path):
                    raise Refused(f'{option}: no file {path} (write it with `llmcore data tokenize`)')
            if a.init and not a.resume and not os.path.isfile(os.path.join(a.init, 'config.json')):
                raise Refused(f'--init {a.init}: no config.json (give a translator model directory, e.g. one `llmcore data tokenize --new` wrote)')
            resume_from = prepare_run_dir(a.out, a.resume, a.force)
        except Refused as e:
            msg = str(e)
    agree(msg)
    if distributed:
        box = [resume_from]
        dist.broadcast_object_list(box, 0)
        resume_from = box[0]
    source = resume_from or a.init
    try:
        model, config, start_step = modeldir.load(source, device)
    except (ValueError, OSError) as e:
        raise Refused(f'--init {source}: {e}') from None
    if modeldir.kind_of(config) != 'translator':
        raise Refused(f'--init {source}: holds a {modeldir.kind_of(config)}, not a translator')
    training = dict(config.get('training') or {})
    for key, value in (('epochs', a.epochs), ('maxSteps', a.max_steps), ('timeBudgetSeconds', a.time_budget)):
        if value is not None:
            training[key] = value
    t = {'seed': 1, 'maxTokens': 2500, 'lrFactor': 1, 'warmupSteps': 600, 'clipNorm': 1, 'epochs': 100, 'timeBudgetSeconds': 0, 'maxSteps': 0, **training}
    config = {**config, 'training': t}
    train = read_pairs(a.train, source)
    dev = read_pairs(a.dev, source)
    if not train or not dev:
        raise Refused('the training and dev token files must each hold at least one pair')
    data_id = file_sha256(a.train)

    model.train()
    net = DDP(model, device_ids=[local_rank] if use_cuda else None) if distributed else model
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, noam(model.config['dModel'], t['warmupSteps'], t['lrFactor']))
    s = {'step': 0, 'epoch': 0, 'batchInEpoch': 0, 'seconds': 0.0, 'trainTokens': 0, 'epochLossSum': 0.0, 'epochTokens': 0,
         'best': None, 'history': []}
    if resume_from:
        st = torch.load(os.path.join(resume_from, STATE), map_location=device)
        if st['trainer']['step'] != start_step:
            raise Refused(f"resume: {resume_from}/{STATE} is at step {st['trainer']['step']} but the weights at step {start_step}; the checkpoint is inconsistent")
        if st['data'] != data_id:
            raise Refused(f'resume: --train {a.train} is not the token file this run was started on; give the same --train')
        opt.load_state_dict(st['optimizer'])
        sched.load_state_dict(st['scheduler'])
        s = st['trainer']
        say(f"resumed {resume_from} at step {s['step']} (epoch {s['epoch'] + 1}, batch {s['batchInEpoch']})")
    n_params = sum(p.numel() for p in model.parameters())
    say(f"model: {n_params:,} parameters, d_model {model.config['dModel']}; {len(train)} training pairs; {world} process(es) on {device.type} ({'nccl' if use_cuda else 'gloo' if distributed else 'single process'})")

    paths = {k: os.path.join(a.out, k) for k in ('last', 'best')}
    log_path = os.path.join(a.out, 'log.jsonl')
    init_dir = source

    def write_model(d):
        modeldir.save(d, model, config, init_dir, step=s['step'])

    def save(kind):
        if rank != 0:
            return
        if kind == 'best':
            replace_directory(paths['best'], write_model)
        else:
            def write(d):
                write_model(d)
                torch.save({'optimizer': opt.state_dict(), 'scheduler': sched.state_dict(), 'trainer': s, 'data': data_id}, os.path.join(d, STATE))
            replace_directory(paths['last'], write)

    @torch.no_grad()
    def evaluate():
        model.eval()
        loss_sum, tok_sum = 0.0, 0
        for idx in bucket_batches(dev, 8192, 0, shuffle=False):
            src, tin, tout, n = batch_tensors(dev, idx, device)
            loss_sum += model.loss(model(src, tin), tout).item() * n
            tok_sum += n
        model.train()
        return loss_sum / max(tok_sum, 1)

    def evaluate_and_save(complete):
        t0 = time.time()
        dev_loss = evaluate()
        # 1-based, as llmcore's records: the epoch being (or just) trained
        record = {'devLoss': dev_loss, 'epoch': s['epoch'] + 1, 'step': s['step'], 'complete': complete,
                  'evalSeconds': time.time() - t0, 'trainSeconds': s['seconds'], 'trainLoss': s['epochLossSum'] / max(s['epochTokens'], 1),
                  'world': world}
        s['history'].append(record)
        best = math.isfinite(dev_loss) and (s['best'] is None or dev_loss < s['best'])
        if best:
            s['best'] = dev_loss
        if rank == 0:
            with open(log_path, 'a', encoding='utf-8') as f:
                f.write(json.dumps(record) + '\n')
        say(f"epoch {record['epoch']}{'' if complete else ' (partial)'}: step {s['step']}, train loss {record['trainLoss']:.3f}, dev loss {dev_loss:.3f}{' (best)' if best else ''}, {s['trainTokens'] / max(s['seconds'], 1e-9):.0f} tokens/s")
        if best:
            save('best')

    def stop_flag(local):
        if not distributed:
            return local
        f = torch.tensor([1.0 if local else 0.0], device=device)
        dist.all_reduce(f, op=dist.ReduceOp.MAX)
        return f.item() > 0

    reason = 'epochs'
    stopped = False
    while s['epoch'] < t['epochs'] and not stopped:
        batches = epoch_batches(train, t['maxTokens'], t['seed'], s['epoch'])
        while s['batchInEpoch'] < len(batches):
            t0 = time.time()
            group = batches[s['batchInEpoch']:s['batchInEpoch'] + world]
            mine = rank < len(group)
            src, tin, tout, n = batch_tensors(train, group[rank] if mine else group[0], device)
            # dropout masks are a function of (seed, step, rank): a resumed run draws what an uninterrupted one would
            torch.manual_seed((t['seed'] * 1000003 + s['step'] * 1009 + rank) % (2 ** 63))
            opt.zero_grad(set_to_none=True)
            loss = model.loss(net(src, tin), tout)
            # DDP averages over all ranks; a rank without a batch (the epoch's last step) adds nothing
            (loss * (world / len(group) if mine else 0.0)).backward()
            stats = torch.tensor([loss.item() * n if mine else 0.0, n if mine else 0], dtype=torch.float64, device=device)
            if distributed:
                dist.all_reduce(stats)
            if not math.isfinite(stats[0].item()):
                raise Refused(f"training diverged at step {s['step'] + 1}: the loss is not finite; last/ keeps the step-{s['step']} checkpoint")
            if t['clipNorm'] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), t['clipNorm'])
            opt.step()
            sched.step()
            s['step'] += 1
            s['batchInEpoch'] += len(group)
            s['epochLossSum'] += stats[0].item()
            s['epochTokens'] += int(stats[1].item())
            s['trainTokens'] += int(stats[1].item())
            s['seconds'] += time.time() - t0
            local_stop = None
            if t['maxSteps'] and s['step'] >= t['maxSteps']:
                local_stop = 'steps'
            elif t['timeBudgetSeconds'] and s['seconds'] >= t['timeBudgetSeconds']:
                local_stop = 'time'
            if stop_flag(local_stop is not None) and s['batchInEpoch'] < len(batches):
                reason = local_stop or 'time'
                evaluate_and_save(False)
                save('last')
                stopped = True
                break
        if stopped:
            break
        evaluate_and_save(True)
        s['epoch'] += 1
        s['batchInEpoch'] = 0
        s['epochLossSum'] = 0.0
        s['epochTokens'] = 0
        save('last')
        if t['maxSteps'] and s['step'] >= t['maxSteps'] and s['epoch'] < t['epochs']:
            reason = 'steps'
            break
        if t['timeBudgetSeconds'] and stop_flag(s['seconds'] >= t['timeBudgetSeconds']) and s['epoch'] < t['epochs']:
            reason = 'time'
            break
    say(f"stopped ({reason}) at step {s['step']}; best dev loss {s['best']:.4f}: {paths['best']}; last checkpoint: {paths['last']}")
    if rank == 0:
        print(json.dumps({'reason': reason, 'step': s['step'], 'epoch': s['epoch'], 'bestDevLoss': s['best'], 'out': a.out, 'world': world}))
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except Refused as e:
        print(f'train_translator: {e}', file=sys.stderr)
        sys.exit(1)
