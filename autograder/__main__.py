import signal
import sys

from .cli import main

if __name__ == "__main__":  # not when a Dask worker process (spawned) re-imports the main module
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` should end quietly
    sys.exit(main())
