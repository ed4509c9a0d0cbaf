"""``python -m hnnviz.cli``."""

import sys

from . import main

sys.exit(main())
