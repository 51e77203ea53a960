"""Data package: the spec registry, overlays and gateway profiles.

Nothing here is code and nothing imports this package. A wheel installs this folder as
``aoai_conformance_specs`` (``specs`` would collide in site-packages); code finds the files
through :mod:`generator.paths` (``SPECS_DIR``, ``REGISTRY_FILE``, ...), the same way in a
checkout and in an installed wheel.
"""
