"""`python -m nkd` runs the `nkd` command."""

from .cli import main

main()
