"""llmcore's seeded random stream (src/util/random.ts: splitmix32 seeding, xoshiro128**) and its
length-bucketed batches (src/data/batching.ts), bit for bit: the twin trains on the same batches, in
the same order, as `llmcore train translate` with the same seed."""

M32 = 0xFFFFFFFF


def _splitmix32(seed):
    s = seed & M32

    def nxt():
        nonlocal s
        s = (s + 0x9E3779B9) & M32
        z = s
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        return (z ^ (z >> 16)) & M32
    return nxt


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Generator:
    def __init__(self, seed=0):
        whole = int(seed)
        hi = whole // 2 ** 32
        sm = _splitmix32(whole - hi * 2 ** 32)
        mix = (lambda: 0) if hi == 0 else _splitmix32((hi ^ 0x5BD1E995) & M32)
        self.s = [(sm() ^ mix()) & M32 for _ in range(4)]

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self):
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def randint(self, n):
        return int(self.uniform() * n)

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.randint(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def bucket_batches(pairs, max_tokens, seed, shuffle=True):
    """Indices of `pairs` ((src, tgt) id lists) grouped as llmcore's bucketBatches groups them."""
    gen = seed if isinstance(seed, Generator) else Generator(seed)
    order = gen.permutation(len(pairs)) if shuffle else list(range(len(pairs)))

    def key(i):
        s, t = pairs[i]
        return (max(len(s), len(t)), len(s), len(t))
    order.sort(key=key)  # stable, as Array.prototype.sort
    batches, current, longest = [], [], 0
    for i in order:
        s, t = pairs[i]
        l = max(longest, len(s), len(t))
        if current and (len(current) + 1) * l > max_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, len(s), len(t))
    if current:
        batches.append(current)
    if shuffle:
        perm = gen.permutation(len(batches))
        return [batches[k] for k in perm]
    return batches


def epoch_batches(pairs, max_tokens, seed, epoch):
    """The batches of an epoch, as TranslationTask.epochBatches: seeded by seed · 100003 + epoch."""
    return bucket_batches(pairs, max_tokens, seed * 100003 + epoch)
