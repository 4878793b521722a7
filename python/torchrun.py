"""`torchrun`, runnable where Debian's /usr/bin/torchrun is not: PyTorch 1.13 under Python 3.11.

PyTorch 1.13 parses --redirects/--tee (default "0") by iterating its `Std` flag enum, and Python 3.11
no longer yields the zero and multi-bit members when iterating a Flag, so every launch fails with
"AttributeError: 'NoneType' object has no attribute 'get'" (meta-llama/llama#86). This builds the
values by number instead and then runs torch.distributed.run unchanged: same flags, same behaviour.
On a PyTorch without the bug it changes nothing.

    python3 python/torchrun.py --nproc_per_node=2 python/train_translator.py ...
"""
import re
import sys

from torch.distributed.elastic.multiprocessing import api
from torch.distributed import run

_orig = api.Std.from_str


def _from_str(cls, vm):
    if re.fullmatch(r'[0-3]', vm):
        return cls(int(vm))
    if re.fullmatch(r'(\d:[0-3],)*\d:[0-3]', vm):
        return {int(i): cls(int(v)) for i, v in (m.split(':') for m in vm.split(','))}
    return _orig(vm)


api.Std.from_str = classmethod(_from_str)

if __name__ == '__main__':
    sys.exit(run.main())
