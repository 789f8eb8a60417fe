"""Benchmarks: generated estates and the scripts that time obsc on them (not tests)."""
