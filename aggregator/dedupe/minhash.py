"""MinHash signatures of shingle sets, for the cluster index's title buckets.

Value ``i`` of a signature is the minimum over the shingles of ``h_i(blake2b_64(shingle))``
with ``h_i(x) = ((a_i·x + b_i) mod 2**128) >> 96``, the multiply-add-shift family, ``a_i`` and
``b_i`` drawn from ``random.Random(seed)``: two sets agree on a value with probability equal to
their Jaccard similarity. Deterministic for a seed; no clock, no global state.
"""

from __future__ import annotations

import hashlib
import random
import struct
from collections.abc import Iterable

__all__ = ["MinHash"]

# Rows cached per signer (shingle → its num_perm hash values); cleared when it grows past this.
_ROW_CACHE_LIMIT = 50_000


class MinHash:
    """``num_perm`` hash functions, seeded; ``signature`` of a shingle set."""

    def __init__(self, num_perm: int, seed: int) -> None:
        self.num_perm = num_perm
        rng = random.Random(seed)
        # Multiply-add-shift on 64-bit inputs: h(x) = ((a·x + b) mod 2**128) >> 96. All
        # num_perm values are computed with one big-integer multiplication by packing the
        # a_i (and b_i) into 192-bit slots: a·x + b < 2**192, so slots never carry.
        a = [rng.getrandbits(128) | 1 for _ in range(num_perm)]
        b = [rng.getrandbits(128) for _ in range(num_perm)]
        self._packed_a = sum(v << (192 * i) for i, v in enumerate(a))
        self._packed_b = sum(v << (192 * i) for i, v in enumerate(b))
        self._nbytes = 24 * num_perm
        self._unpack = struct.Struct("<" + "12xI8x" * num_perm).unpack  # bits 96..127 of a slot
        self._row_cache: dict[str, tuple[int, ...]] = {}

    def _row(self, shingle: str) -> tuple[int, ...]:
        """The num_perm hash values of one shingle (cached: titles share their words)."""
        row = self._row_cache.get(shingle)
        if row is None:
            x = int.from_bytes(
                hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little"
            )
            packed = x * self._packed_a + self._packed_b
            row = self._unpack(packed.to_bytes(self._nbytes, "little"))
            if len(self._row_cache) >= _ROW_CACHE_LIMIT:
                self._row_cache.clear()
            self._row_cache[shingle] = row
        return row

    def signature(self, shingles: Iterable[str]) -> list[int]:
        """The signature of a non-empty shingle set: per hash function, the minimum."""
        return list(map(min, zip(*[self._row(s) for s in shingles], strict=True)))
