"""`python -m server` runs the `nkd` command."""

from .cli import main

main()
