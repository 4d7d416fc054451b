"""What the integration API reads: paths named by external ids, Idempotency-Key answers."""
