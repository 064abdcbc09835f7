"""Process-wide settings for the Whisper engine, made once at program start (``tune_process``).

They change the whole process (the environment, the C allocator), so no engine makes them on its
own: the command line calls ``tune_process`` before it loads a model, and so should a script or
test that builds a ``WhisperEngine`` itself. The per-decode release of freed memory is here too,
beside the allocator setting it works with.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

log = logging.getLogger(__name__)

MATH_KERNELS = "AVX2"
"""The widest x86 instruction set Intel MKL (used by CTranslate2 on Intel CPUs) may use for the
int8 arithmetic (``MKL_ENABLE_INSTRUCTIONS``): the thresholds and tests were tuned on AVX2 scores,
and with AVX-512/AMX kernels two real-audio tests turn (same quality: commands 73.1 against 72.0 %)."""
LARGE_BLOCK_BYTES = 8 * 1024 * 1024
"""Blocks at least this large are mapped from the system and returned when freed (glibc's
``M_MMAP_THRESHOLD``; 0 leaves glibc's own, which climbs to 32 MB and keeps the encoder's 9-12 MB
activations). With ``whisper.RELEASE_AFTER_DECODE``, test split: peak RSS 425 -> 352 MB."""
_M_MMAP_THRESHOLD = -3
"""mallopt's parameter number for M_MMAP_THRESHOLD (glibc's malloc.h)."""


def tune_process() -> None:
    """Set what the Whisper engine needs of the whole process; call once, before a model loads.

    - ``MKL_ENABLE_INSTRUCTIONS=MATH_KERNELS`` unless the user already set it (MKL reads it once,
      when it starts), so the scores are those the thresholds were tuned on.
    - glibc's mmap threshold fixed at LARGE_BLOCK_BYTES (a no-op without glibc), so the memory of
      a decode goes back to the system instead of piling up in the heap.
    """
    os.environ.setdefault("MKL_ENABLE_INSTRUCTIONS", MATH_KERNELS)
    libc = _glibc()
    if LARGE_BLOCK_BYTES > 0 and libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)
    log.debug(
        "process tuned: MKL_ENABLE_INSTRUCTIONS=%s, mmap threshold %d bytes",
        os.environ["MKL_ENABLE_INSTRUCTIONS"],
        LARGE_BLOCK_BYTES,
    )


def release_freed_memory() -> None:
    """Hand freed memory back to the system (glibc's ``malloc_trim``; a no-op elsewhere), after
    each model load and decode: CTranslate2 frees the model file it read to convert, but the
    allocator keeps it (tiny.en then base peaked at 400 MB, 338 MB with this after each load)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> Any:
    """The C library as ctypes sees it, or None where it is not glibc."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None
