"""``python -m msskg``: the same as the msskg command."""

from msskg.launch import main

main()
