"""The microphone's worker without a device: its PortAudio callback fed by hand, the real
worker thread behind it (fast; the rig tests in test_audio_devices.py cover the stream)."""

from __future__ import annotations

import threading

import numpy as np

from voiceguide.audio import microphone
from voiceguide.audio.endpointing import FRAME_SAMPLES
from voiceguide.core.ports import Heard

SR = 16_000


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32) + np.float32(1e-4)


def test_the_microphone_timeline_skips_audio_dropped_by_a_flush():
    """Audio a flush drops from the microphone's queue still counts on its timeline (which
    lines it up with what the loudspeaker played); it used to fall behind by every flush's
    backlog. Real worker and callback, fed by hand; the decode blocks so frames queue up."""
    release = threading.Event()
    decoding = threading.Event()

    def decode(audio, moment):
        decoding.set()
        release.wait(10)
        return Heard(text="word", source="voice"), None

    listener = microphone.MicrophoneListener(decode, stall_timeout_s=None, speculate_after_s=None)
    worker = threading.Thread(target=listener._run, daemon=True)
    worker.start()
    fed = 0

    def feed(signal):
        nonlocal fed
        for i in range(0, len(signal), FRAME_SAMPLES):
            block = signal[i : i + FRAME_SAMPLES].reshape(-1, 1)
            listener._callback(block, FRAME_SAMPLES, None, None)
            fed += FRAME_SAMPLES

    try:
        feed(np.concatenate([quiet(0.5), tone(0.4), quiet(0.6)]))
        assert decoding.wait(10)
        feed(quiet(1.0))  # queued behind the decode
        listener.flush()  # ... and dropped
        release.set()
        feed(np.concatenate([quiet(0.5), tone(0.4), quiet(0.6)]))
        assert listener.listen(timeout=10) is not None
    finally:
        release.set()
        listener._closing.set()
        listener._put_frame(microphone._STOP, force=True)
        worker.join(timeout=5)
    # the second word ended 0.35 s into its trailing silence: everything fed before that counts
    assert fed - listener._position <= int(0.6 * SR), (fed, listener._position)
