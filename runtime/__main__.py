"""`python -m runtime` runs the `watchkeeper` command line."""

from runtime.cli import main

main()
