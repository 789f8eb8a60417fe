"""Serialisation and disk output: canonical JSON/YAML, the manifest, the atomic writer."""
