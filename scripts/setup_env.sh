#!/usr/bin/env bash
# Create .venv and install the pinned requirements plus the course package (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # pip byte-compiles on one core; compileall does it on every core (kernels then import TensorFlow from .pyc
  # files even where PYTHONDONTWRITEBYTECODE is set). A file that does not compile is only left uncached.
  .venv/bin/python -m pip install --quiet --no-compile -r requirements.txt
  .venv/bin/python -m compileall -q -j 0 .venv/lib >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet --no-deps -e .
  # jsonschema imports this optional format checker eagerly and it takes seconds to load;
  # nothing here needs it, and every notebook that imports nbformat pays for it.
  .venv/bin/python -m pip uninstall --quiet --yes rfc3987-syntax || true
  echo "$wanted" > "$stamp"
fi
.venv/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
