"""Spec pipeline and code generator.

Layers (see ARCHITECTURE.md): ``generator.spec`` loads, verifies and normalises the
pinned upstream specs; the code generator renders ``generated/`` from them. Nothing in
this package imports ``conformance`` or ``generated``.
"""
