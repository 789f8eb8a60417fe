"""The compiler's version, recorded in the manifest and in render commits."""

__version__ = "0.1.0"
