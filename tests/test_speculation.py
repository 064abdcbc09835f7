"""Early decoding (voiceguide/audio/speculation.py): when to decode before the end silence is
over, and when that result may stand for the utterance. Pure, on synthetic frames."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.audio.endpointing import FRAME_SAMPLES, EndpointConfig, Endpointer
from voiceguide.audio.speculation import SPECULATE_AFTER_S, covers, stands, ticket_for

pytestmark = pytest.mark.unit

SR = 16_000
CONTEXT = ("step", 0)


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def feed(endpointer: Endpointer, signal: np.ndarray, context=CONTEXT):
    """Feed ``signal``; take a ticket whenever one is due (as the microphone does). Returns
    (tickets, the utterance handed over or None, the ticket of the last early decode)."""
    tickets, utterance, last = [], None, None
    for i in range(0, len(signal) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        utterance = endpointer.process(signal[i : i + FRAME_SAMPLES])
        if utterance is not None:
            break
        ticket = ticket_for(endpointer, context, last=last)
        if ticket is not None:
            tickets.append((ticket, endpointer.audio_so_far()))
            last = ticket
    return tickets, utterance


def test_one_early_decode_after_the_word_and_it_stands():
    ep = Endpointer()
    tickets, utterance = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(1.0)]))
    assert utterance is not None
    [(ticket, audio)] = tickets
    # taken once the word has been followed by SPECULATE_AFTER_S of silence, not before
    assert abs(ticket.seconds - (0.2 + 0.4 + SPECULATE_AFTER_S)) <= 0.021
    assert len(audio) == round(ticket.seconds * SR)
    np.testing.assert_array_equal(audio, utterance[: len(audio)])  # the same audio, minus silence
    assert stands(ticket, ep.ended, CONTEXT)


def test_speech_after_the_early_decode_discards_it_and_takes_a_new_one():
    ep = Endpointer()
    # a pause longer than SPECULATE_AFTER_S but shorter than the end silence: one utterance
    signal = np.concatenate([quiet(0.5), tone(0.3), quiet(0.2), tone(0.3), quiet(1.0)])
    tickets, utterance = feed(ep, signal)
    assert utterance is not None and len(utterance) >= int((0.2 + 0.3 + 0.2 + 0.3) * SR)
    first, second = (ticket for ticket, _ in tickets)
    assert not stands(first, ep.ended, CONTEXT)  # the second word is not in it
    assert stands(second, ep.ended, CONTEXT)


def test_an_early_decode_never_stands_for_another_moment_or_after_a_flush():
    ep = Endpointer()
    [(ticket, _)], utterance = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(1.0)]))
    assert utterance is not None
    assert not stands(ticket, ep.ended, ("check", 0))
    assert not stands(ticket, ep.ended, ("step", 1))


def test_an_early_decode_never_stands_for_the_next_utterance():
    ep = Endpointer()
    [(ticket, _)], _ = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(1.0)]))
    tickets, utterance = feed(ep, np.concatenate([tone(0.4), quiet(1.0)]))
    assert utterance is not None and len(tickets) == 1
    assert not stands(ticket, ep.ended, CONTEXT)


def test_no_ticket_while_idle_or_before_the_silence():
    ep = Endpointer()
    assert ticket_for(ep, CONTEXT) is None
    feed(ep, quiet(0.5))
    assert ticket_for(ep, CONTEXT) is None
    for i in range(0, int(0.4 * SR), FRAME_SAMPLES):
        ep.process(tone(0.4)[i : i + FRAME_SAMPLES])
    assert ep.in_speech and ticket_for(ep, CONTEXT) is None  # still speaking


def test_an_utterance_cut_at_its_maximum_length_keeps_its_speech_end():
    ep = Endpointer(EndpointConfig(max_utterance_s=1.0))
    tickets, utterance = feed(ep, np.concatenate([quiet(0.5), tone(2.0)]))
    assert utterance is not None and tickets == []
    assert abs(ep.ended.speech_end_s - len(utterance) / SR) < 1e-6


def test_a_found_command_ends_the_utterance_after_the_shorter_silence():
    ep = Endpointer()
    cfg = ep.config
    [(ticket, _)], _ = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(SPECULATE_AFTER_S)]))
    assert covers(ticket, ep, CONTEXT) and not covers(ticket, ep, ("check", 0))
    ep.end_early()
    silence = SPECULATE_AFTER_S
    while ep.process(quiet(0.02)) is None:
        silence += 0.02
    silence += 0.02
    assert abs(silence - cfg.decided_end_silence_s) <= 0.021 < cfg.short_end_silence_s - silence
    assert stands(ticket, ep.ended, CONTEXT)


def test_speech_after_a_found_command_takes_back_the_shorter_silence():
    """A second word after the early decode: the utterance goes on and ends after its own end
    silence, and the early decode no longer covers it."""
    ep = Endpointer()
    [(ticket, _)], _ = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(SPECULATE_AFTER_S)]))
    ep.end_early()
    word = tone(0.3)
    for i in range(0, word.size, FRAME_SAMPLES):
        assert ep.process(word[i : i + FRAME_SAMPLES]) is None
    assert not covers(ticket, ep, CONTEXT)
    silence = 0.0
    while ep.process(quiet(0.02)) is None:
        silence += 0.02
    assert abs(silence + 0.02 - ep.config.short_end_silence_s) <= 0.021
    assert not stands(ticket, ep.ended, CONTEXT)


def test_end_early_means_nothing_while_idle():
    ep = Endpointer()
    ep.end_early()
    tickets, utterance = feed(ep, np.concatenate([quiet(0.5), tone(0.4), quiet(1.0)]))
    assert utterance is not None
    assert abs(ep.ended.speech_end_s + ep.config.short_end_silence_s - len(utterance) / SR) <= 0.021
