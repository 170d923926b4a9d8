"""``python -m vision vision ...`` / ``python -m vision replay ...``."""

from vision.cli import main

main()
