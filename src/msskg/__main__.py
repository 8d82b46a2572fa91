"""``python -m msskg``: the same as the msskg command."""

from msskg.cli import main

main()
