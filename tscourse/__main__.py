import signal
import sys

from .checking.check import main

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` should end quietly
sys.exit(main())
