"""rva: a streaming lakehouse for retail video analytics."""

__version__ = "0.1.0"
