"""Python UDFs for the Flink SQL pipeline: small, pure functions behind thin wrappers."""
