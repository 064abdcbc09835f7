#!/usr/bin/env python3
"""Latency benchmark through the real audio stack (the private PulseAudio rig of the tests).

Runs `voiceguide run` (whisper engine) on a procedure of short steps, answers each prompt
through the virtual microphone after the listening earcon, and now and then says "stop" over a
prompt (then "resume"). Measured on the loudspeaker's monitor:

- response: end of the user's word -> first audio of the reply (the "accepted" earcon, which
  leads the next prompt by 0.16 s; the prompt's speech follows it). The rig's pipe sink adds
  its own buffering here (up to ~0.5 s when it was idle), which a sound card does not;
- recognized: end of the user's word -> the console shows what was heard (endpointing plus
  decoding; the part voiceguide controls);
- barge-in: end of "stop" -> the prompt goes silent; a "stop" over a prompt that is not
  heard is counted (``barge_in_stops_missed``) and said again after the prompt, as a person
  would;
- idle CPU: % of one core used by the voiceguide process while it listens to silence;
- peak RSS of the voiceguide process (VmHWM);
- start: `voiceguide run` launched -> first audio.

Prints a table and writes JSON. Needs pulseaudio, pactl, parec and espeak-ng.

    python scripts/bench_latency.py [--turns 30] [--room] [--out bench_latency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from audio_rig import (  # noqa: E402
    LOUD,
    MicFeeder,
    PrivatePulse,
    SinkRecorder,
    espeak_16k,
    spoke_then_quiet,
    tone_after,
)
from test_audio_session import Console  # noqa: E402

from voiceguide.audio.speaker import EARCONS  # noqa: E402

LISTENING_HZ = EARCONS["listening"][0]
TARGETS = {
    "response_median_ms": 300,
    "response_p95_ms": 450,
    "barge_in_median_ms": 300,
    "barge_in_stops_missed": 0,
    "idle_cpu_percent": 15,
    "peak_rss_mb": 250,
    "first_audio_s": 2.0,
}
STOP_HEARD_S = 10.0
"""Seconds after a "stop" over a prompt by which "Paused." must show; a heard stop takes well
under one (decode median about 60 ms), a missed one lets the prompt play on and is said again."""


def procedure_text(steps: int) -> str:
    lines = ["id: bench", "title: Latency bench", "steps:"]
    for n in range(1, steps + 1):
        lines.append(
            f"  - {{id: s{n}, title: Step {n}, say: Put item {n} on the tray and "
            "check that it sits flat and does not move.}"
        )
    return "\n".join(lines) + "\n"


def first_loud_after(recorder: SinkRecorder, moment: float, timeout: float) -> float | None:
    found: list[float] = []

    def check(chunks) -> bool:
        for t, c in chunks:
            if t > moment and c.size and float((c**2).mean()) ** 0.5 > LOUD:
                found.append(t - c.size / 16000)
                return True
        return False

    return found[0] if recorder.wait_until(check, timeout) else None


def first_quiet_after(
    recorder: SinkRecorder, moment: float, timeout: float, lasting: float = 0.35
) -> float | None:
    found: list[float] = []

    def check(chunks) -> bool:
        since = None
        for t, c in chunks:
            if t <= moment:
                continue
            if c.size and float((c**2).mean()) ** 0.5 > LOUD:
                since = None
            elif since is None:
                since = t - c.size / 16000
            elif t - since >= lasting:
                found.append(since)
                return True
        return False

    return found[0] if recorder.wait_until(check, timeout) else None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_listening(recorder: SinkRecorder, since: float, timeout: float) -> float | None:
    found: list[float] = []
    if not recorder.wait_until(tone_after(since, LISTENING_HZ, found), timeout):
        return None
    recorder.wait_until(spoke_then_quiet(found[0] - 0.05, 0.4), timeout)
    return found[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(turns: int, room: bool, barge_every: int, log: str | None = None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vg-bench-"))
    procedure = work / "bench.yaml"
    procedure.write_text(procedure_text(turns))
    server = PrivatePulse()
    env = {
        **os.environ,
        **server.start(),
        "VOICEGUIDE_DATA_DIR": str(work / "data"),
        "PYTHONUNBUFFERED": "1",  # each console line as it is written: the "recognized" time
    }
    os.environ.update({k: env[k] for k in ("PULSE_SERVER",)})
    recorder = SinkRecorder(server.speaker_fifo)
    feeder = MicFeeder(server.mic_fifo, room=recorder.tap() if room else None)
    voice = {text: espeak_16k(text, work) for text in ("next step", "done", "stop", "resume")}
    responses, recognized, barge_ins, decode_ms, misses, stops_missed = [], [], [], [], 0, 0
    started = time.monotonic()
    verbose = ["-v"] if log else []
    stderr = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceguide", *verbose, "run", str(procedure)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=ROOT,
        env=env,
    )
    timeline: list[dict] = []
    console = Console(proc.stdout)
    result: dict = {}
    try:
        first = first_loud_after(recorder, started, 60)
        result["first_audio_s"] = round(first - started, 3) if first else None
        for n in range(1, turns + 1):
            console.wait_for(f"Step {n} of {turns}:", timeout=60)
            shown = time.monotonic()
            if barge_every and n % barge_every == 0:
                recorder.wait_until(lambda c, s=shown: any(t > s + 0.6 for t, _ in c), 10)
                stop = feeder.say(voice["stop"])
                stop.wait(10)
                quiet = first_quiet_after(recorder, stop.started, 10)
                for attempt in range(3):
                    try:
                        console.wait_for("Paused.", timeout=STOP_HEARD_S)
                        if attempt == 0 and quiet is not None:  # a missed stop cuts nothing
                            barge_ins.append(1000 * (quiet - stop.word_end()))
                        break
                    except AssertionError:  # the stop over the prompt was missed: say it again
                        stops_missed += 1
                        wait_listening(recorder, stop.started, 30)  # the prompt has ended
                        stop = feeder.say(voice["stop"])
                        stop.wait(10)
                else:
                    raise AssertionError(f'"stop" at step {n} was not heard three times')
                wait_listening(recorder, time.monotonic(), 30)
                feeder.say(voice["resume"]).wait(10)
                console.wait_for("-> resume", timeout=30)
                shown = time.monotonic()
            wait_listening(recorder, shown, 60)
            if n == 2:  # idle listening: the process hears silence for 5 s
                before, t0 = cpu_seconds(proc.pid), time.monotonic()
                time.sleep(5.0)  # a measurement window, not a wait for audio
                result["idle_cpu_percent"] = round(
                    100 * (cpu_seconds(proc.pid) - before) / (time.monotonic() - t0), 1
                )
            for _attempt in range(3):
                reply = feeder.say(voice["done" if n % 2 else "next step"])
                reply.wait(10)
                try:
                    line = console.wait_for("heard:", timeout=15)
                except AssertionError:  # not heard at all: say it again, as a person would
                    misses += 1
                    continue
                if "-> next" in line:
                    shown_at = console.last_at
                    recognized.append(1000 * (shown_at - reply.word_end()))
                    answered = first_loud_after(recorder, reply.word_end(), 10)
                    if answered is not None:
                        responses.append(1000 * (answered - reply.word_end()))
                    timeline.append(
                        {
                            "word_end": round(reply.word_end(), 3),
                            "shown": round(shown_at, 3),
                            "answered": answered and round(answered, 3),
                        }
                    )
                    break
                misses += 1
                wait_listening(recorder, time.monotonic(), 30)
        console.wait_for("Session ended", timeout=60)
        result["peak_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            result.setdefault("peak_rss_mb", round(peak_rss_mb(proc.pid), 1))
            proc.kill()
        feeder.close()
        recorder.close()
        server.stop()
        if log:
            stderr.close()
    journal = next((work / "data" / "sessions").glob("*.jsonl"), None)
    if journal:
        for line in journal.read_text().splitlines():
            event = json.loads(line)
            if event["type"] == "heard" and event.get("source") == "voice":
                decode_ms.append(event.get("decode_ms", 0))
    result.update(
        {
            "turns": len(responses),
            "room": room,
            "misheard": misses,
            "response_median_ms": round(statistics.median(responses)) if responses else None,
            "response_p95_ms": round(percentile(responses, 0.95)) if responses else None,
            "recognized_median_ms": round(statistics.median(recognized)) if recognized else None,
            "recognized_p95_ms": round(percentile(recognized, 0.95)) if recognized else None,
            "barge_in_median_ms": round(statistics.median(barge_ins)) if barge_ins else None,
            "barge_in_max_ms": round(max(barge_ins)) if barge_ins else None,
            "barge_ins": len(barge_ins),
            "barge_in_stops_missed": stops_missed,
            "decode_median_ms": round(statistics.median(decode_ms)) if decode_ms else None,
            "load_average": os.getloadavg()[0],
            "responses_ms": [round(r) for r in responses],
            "barge_ins_ms": [round(b) for b in barge_ins],
            "timeline": timeline,
        }
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=30, help="answered prompts (default 30)")
    parser.add_argument("--room", action="store_true", help="the microphone hears the loudspeaker")
    parser.add_argument(
        "--barge-every", type=int, default=6, help='say "stop" over every Nth prompt (0: never; default 6)'
    )
    parser.add_argument("--out", default="bench_latency.json", help="JSON output file")
    parser.add_argument(
        "--log",
        help="run voiceguide with -v and write its log here (the "
        "debug lines carry monotonic times to set against the JSON timeline)",
    )
    args = parser.parse_args()
    result = run(args.turns, args.room, args.barge_every, args.log)
    print(f"{'measure':<22}{'value':>10}{'target':>10}")
    for key, target in TARGETS.items():
        value = result.get(key)
        mark = "" if value is None else (" ok" if value <= target else " MISSED")
        print(f"{key:<22}{'-' if value is None else value:>10}{target:>10}{mark}")
    for key in ("recognized_median_ms", "recognized_p95_ms", "decode_median_ms"):
        print(f"{key:<22}{result[key] or '-':>10}")
    print(
        f"turns {result['turns']}, barge-ins {result['barge_ins']}, misheard {result['misheard']}, "
        f"room {result['room']}, load average {result['load_average']:.1f}"
    )
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
