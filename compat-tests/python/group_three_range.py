# compat: needs=groups timeout=90
# Three consumers, range assignor, six partitions: 2 + 2 + 2, every message once, commits at the log end,
# the two left after a leave own all six partitions (see _groups.py).
from _groups import run

run("range")
