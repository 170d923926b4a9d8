"""Where events go: NDJSON, the spool and Pulsar, and what is saved beside them (snapshots, annotated video)."""
