"""voiceguide: an offline, hands-free, voice-guided procedure assistant."""

__version__ = "0.1.0"
