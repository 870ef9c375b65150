"""Fuzzing the real bot process with hostile input (hypothesis)."""
