"""The fault server's compression bombs (tests/faults/server.py) inflate to exactly what they
say: zero bytes, every checksum and length field right. A small bomb is built by the same code
as the gigabyte one and inflated whole; the gigabyte one is checked for its size and start."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from tests.faults.server import BOMB_SIZE, MB, compression_bomb

INFLATE = {"gzip": gzip.decompress, "deflate": zlib.decompress, "br": brotli.decompress}


@pytest.mark.parametrize("encoding", INFLATE)
def test_a_small_bomb_inflates_to_its_size_in_zeros(encoding: str) -> None:
    size = 7 * MB
    inflated = INFLATE[encoding](compression_bomb(encoding, size))  # checks CRC-32 / Adler-32
    assert len(inflated) == size and inflated.count(0) == size


@pytest.mark.parametrize("encoding", INFLATE)
def test_the_gigabyte_bomb_is_small_and_starts_inflating_to_zeros(encoding: str) -> None:
    bomb = compression_bomb(encoding)
    assert len(bomb) < 2 * MB
    if encoding == "br":
        start = brotli.Decompressor().process(bomb[:4096])
    else:
        start = zlib.decompressobj(31 if encoding == "gzip" else 15).decompress(bomb, 4 * MB)
    assert len(start) >= MB and start.count(0) == len(start)
    assert BOMB_SIZE // len(bomb) > 500  # the ratio the attack needs


def test_a_bomb_is_a_whole_number_of_megabytes() -> None:
    with pytest.raises(ValueError, match="whole number of MB"):
        compression_bomb("gzip", 3 * MB + 1)
