"""Try another recognition policy, another engine recipe constant, or the vocabulary without a
phrase, for one benchmark run (``--set`` and ``--retire`` of the bench scripts). A policy field
gives another ``RecognitionPolicy`` passed in; a recipe constant and ``--retire`` change module
globals of this process only: for measuring, never for the product.
"""

from __future__ import annotations

import dataclasses
import importlib
import json

from voiceguide.core.intents import Intent
from voiceguide.recognition.policy import RecognitionPolicy


def with_settings(policy: RecognitionPolicy, settings: list[str]) -> RecognitionPolicy:
    """``policy`` with each ``NAME=VALUE`` of ``settings`` (a field of ``RecognitionPolicy``);
    a ``MODULE.NAME=VALUE`` sets an engine recipe constant instead (``override``). Raises
    ValueError for an unknown name or a value that is not JSON."""
    for setting in settings:
        name, equals, value = setting.partition("=")
        if "." in name:
            override(setting)
            continue
        fields = [f.name for f in dataclasses.fields(policy)]
        if not equals or name not in fields:
            raise ValueError(f"{setting!r} is not NAME=VALUE with NAME one of: {', '.join(fields)}")
        policy = dataclasses.replace(policy, **{name: parsed(value, getattr(policy, name))})
    return policy


def override(setting: str) -> None:
    """``MODULE.NAME=VALUE``: set voiceguide.<MODULE>.<NAME> to VALUE (``parsed``). Raises
    ValueError when there is no such constant or VALUE is not JSON."""
    target, equals, value = setting.partition("=")
    module_name, _, name = target.rpartition(".")
    if not (equals and module_name and name):
        raise ValueError(f"{setting!r} is not MODULE.NAME=VALUE")
    try:
        module = importlib.import_module(f"voiceguide.{module_name}")
    except ImportError:
        raise ValueError(f"there is no module voiceguide.{module_name}") from None
    if not hasattr(module, name):
        raise ValueError(f"voiceguide.{module_name} has no {name}")
    setattr(module, name, parsed(value, getattr(module, name)))


def parsed(value: str, current: object) -> object:
    """VALUE as JSON (numbers, true/false, null); a list where ``current`` is a set becomes a
    frozenset, of intents for a set of intents (``["next","stop"]``), else of text
    (``["resume"]``). ValueError when VALUE is not JSON."""
    try:
        loaded = json.loads(value)
    except json.JSONDecodeError:
        raise ValueError(f"{value!r} is not a JSON value (quote text: '\"text\"')") from None
    if isinstance(current, frozenset) and isinstance(loaded, list):
        kind = Intent if any(isinstance(item, Intent) for item in current) else str
        return frozenset(kind(item) for item in loaded)
    return loaded


def retire(phrase: str) -> None:
    """Take ``phrase`` out of every intent's phrases (``intents.PHRASES``); ValueError when no
    intent has it."""
    from voiceguide.core import intents

    if not any(phrase in phrases for phrases in intents.PHRASES.values()):
        raise ValueError(f"no intent has the phrase {phrase!r}")
    for intent, phrases in intents.PHRASES.items():
        intents.PHRASES[intent] = tuple(p for p in phrases if p != phrase)
