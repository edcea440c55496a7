"""The console's Danish words and formats moved to `shared/danish.py` (issue 17: reporting's
timeline and `ssp trace` say each step in the same words). This module keeps the old import
path working for code written against it; new code imports `shared.danish`."""

from shared.danish import *  # noqa: F403
