"""``python -m bricks.convert SRC DST``."""

import sys

from . import main

sys.exit(main())
