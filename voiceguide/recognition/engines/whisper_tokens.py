"""Whisper's tokens: the special ones, text <-> ids, and what never to write.

A thin layer over the model's ``tokenizer.json`` (the ``tokenizers`` package), doing what
faster-whisper 1.2.1's ``Tokenizer`` and ``get_suppressed_tokens(tokenizer, [-1])`` do for an
English-only model (MIT licence), without importing faster-whisper.
"""

from __future__ import annotations

from pathlib import Path

_SYMBOLS = list('"#()*+/:;<=>@[\\]^_`{|}~「」『』') + (
    "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split()
)
"""Speaker tags and sound annotations ("[MUSIC]", "(laughs)", "♪") Whisper must not write."""
_MISCELLANEOUS = "♩♪♫♬♭♮♯"


class WhisperTokens:
    """Token ids of a Whisper model, from its ``tokenizer.json``."""

    def __init__(self, tokenizer_json: Path, multilingual: bool = False):
        import tokenizers

        self._tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_json))
        special = self._tokenizer.token_to_id
        self.sot = special("<|startoftranscript|>")
        self.sot_prev = special("<|startofprev|>")
        self.eot = special("<|endoftext|>")
        self.no_timestamps = special("<|notimestamps|>")
        self.sot_sequence = [self.sot]
        """An English-only model has no language or task token; a multilingual one is told
        both: English, transcribe."""
        if multilingual:
            self.sot_sequence += [special("<|en|>"), special("<|transcribe|>")]
        self.suppressed = self._suppressed(
            [
                special("<|transcribe|>"),
                special("<|translate|>"),
                self.sot,
                self.sot_prev,
                special("<|startoflm|>"),
                special("<|nospeech|>") or special("<|nocaptions|>"),
            ]
        )
        """Token ids never to generate: annotations and special tokens, sorted."""

    def encode(self, text: str) -> list[int]:
        return self._tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        """The text of ``ids``, special tokens left out."""
        return self._tokenizer.decode([token for token in ids if token < self.eot])

    def _suppressed(self, specials: list[int | None]) -> list[int]:
        # Hyphens and apostrophes stay allowed between words, not at the start of one.
        result = {self.encode(" -")[0], self.encode(" '")[0]}
        for symbol in _SYMBOLS + list(_MISCELLANEOUS):
            for ids in (self.encode(symbol), self.encode(" " + symbol)):
                if len(ids) == 1 or symbol in _MISCELLANEOUS:
                    result.add(ids[0])
        result.update(token for token in specials if token is not None)
        return sorted(result)
