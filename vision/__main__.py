"""``python -m vision --src ...`` / ``python -m vision eval ...`` / ``python -m vision replay ...``."""

from vision.cli import main

main()
