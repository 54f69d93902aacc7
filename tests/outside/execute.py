"""Execute one notebook in place with this interpreter's own kernel (run by the fresh environment).

python execute.py NOTEBOOK [--allow-errors]
"""

import sys

import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(
    notebook,
    timeout=600,
    kernel_name="python3",
    allow_errors="--allow-errors" in sys.argv,
    resources={"metadata": {"path": "."}},
)
try:
    client.execute()
finally:
    nbformat.write(notebook, path)
