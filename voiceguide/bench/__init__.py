"""Benchmark and test-audio code shared by ``scripts/`` and ``tests/``; not used by the
product at run time.

- ``command_audio``: the small set of synthesized command WAVs the real-engine tests decode.
- ``corpus``: the recognition corpus's voices, conditions, texts, synthesis and degradation.
- ``corpus_build``: writes the corpus and its ``manifest.jsonl``.
- ``recognition``: the clips to decode, the decoding loop and the figures of the benchmark.
- ``tuning``: ``--set``/``--retire`` for trying another constant or vocabulary in one run.

The scripts in ``scripts/`` are their command lines (arguments, a printed table, JSON).
"""
