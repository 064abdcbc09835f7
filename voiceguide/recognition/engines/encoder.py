"""tiny.en's encoder over a short window, shared by the reading and the command model.

Both read an utterance's loud part at the start of a window of silence; in a quiet room, with no
noise to subtract and no talking background to trim, the two windows are the same samples, and
the encoder (with its log-Mel features, about a third of a decode) then runs once for both.
The last window and its encoding are remembered per thread (early decoding runs on a second
thread), compared sample for sample.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from voiceguide.recognition.engines.log_mel import log_mel


class WindowEncoder:
    """Encodes 16 kHz windows with a loaded tiny.en (``ctranslate2.models.Whisper``)."""

    def __init__(self, model: Any):
        import ctranslate2

        self._model = model
        self._storage = ctranslate2.StorageView
        self._last = threading.local()

    def encode(self, window: np.ndarray) -> Any:
        """The encoder output (a CTranslate2 StorageView, batch of one) of ``window``, whose
        length is a whole number of seconds: the last one's again when it is the same window."""
        last = getattr(self._last, "pair", None)
        if last is not None and last[0].shape == window.shape and np.array_equal(last[0], window):
            return last[1]
        features = log_mel(window, padding=0)[:, : window.size // 160]
        batch = np.ascontiguousarray(np.expand_dims(features, 0))
        encoded = self._model.encode(self._storage.from_array(batch))
        self._last.pair = (window.copy(), encoded)
        return encoded
