"""Conformance suite, emulator and CLI for the Azure OpenAI / Foundry chat-completions APIs."""

__version__ = "0.1.0"
