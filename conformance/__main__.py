"""``python -m conformance`` is the same as the ``aoai-conformance`` console script."""

from conformance.cli import main

main()
