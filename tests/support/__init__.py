"""Test support kept out of the wheel: the in-memory `fake` channel and the fake platform server."""
