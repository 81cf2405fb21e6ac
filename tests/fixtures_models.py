"""Tiny real models for tests: built from small configs, random weights, saved once per session."""
