"""One night of the pipeline: open, ingest, gate, publish (write-audit-publish)."""
