"""The local lakehouse stack: fetch, start, provision and stop every engine."""
