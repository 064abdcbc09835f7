"""The DET curve of the decision: command accuracy against dangerous false accepts per
negative family, as the operating point of the advances and answers moves. Reads the bench's
results (``bench.recognition.Result.fused``); no decoding here."""

from __future__ import annotations

from collections.abc import Mapping

from voiceguide.bench.recognition import Result, negative_families, pct
from voiceguide.core.intents import Intent, Moment
from voiceguide.recognition.risk import RISK, Risk

DET_POINTS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)
"""Operating points of the advances and answers the DET curve tries."""


def det_curve(results: list[Result], accept: Mapping[Risk, float]) -> dict:
    """Command accuracy against dangerous false accepts (next at a step, yes at a check) per
    negative family, as the operating point of the advances and answers (``Risk.ADVANCE``,
    ``Risk.ANSWER``) moves over DET_POINTS and at ``accept`` itself; the other classes keep
    theirs. Decodes the command model did not score keep their intent."""

    def taken(r: Result, point: float | None) -> Intent | None:
        if r.fused is None:
            return r.intent
        intent, p = Intent(r.fused[0]), r.fused[1]
        risk = RISK[intent]
        needed = point if point is not None and risk in (Risk.ADVANCE, Risk.ANSWER) else accept[risk]
        return intent if p >= needed else None

    commands = [r for r in results if r.item.group == "command"]
    negatives = negative_families(results)
    rows = []
    for point in (*DET_POINTS, None):
        intents = [taken(r, point) for r in commands]
        row = {
            "point": point if point is not None else "chosen",
            "commands": pct(sum(i is r.item.expected for i, r in zip(intents, commands)), len(commands)),
            "wrong": pct(
                sum(i not in (None, r.item.expected) for i, r in zip(intents, commands)), len(commands)
            ),
            "dangerous": {},
        }
        for family, rs in sorted(negatives.items()):
            row["dangerous"][family] = sum(
                (r.item.moment is Moment.STEP and taken(r, point) is Intent.NEXT)
                or (r.item.moment is Moment.CHECK and taken(r, point) is Intent.YES)
                for r in rs
            )
        rows.append(row)
    return {
        "chosen": {r.value: accept[r] for r in (Risk.ADVANCE, Risk.ANSWER)},
        "decodes": {family: len(rs) for family, rs in sorted(negatives.items())},
        "rows": rows,
    }
