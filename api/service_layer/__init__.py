"""The service layer: one function per command (`commands`) and per query (`queries`), for
the JSON API, the pages and the CLI alike; beside them, once each: who may do what
(`permissions`), the Idempotency-Key fingerprint (`idempotency`), domain errors → statuses
(`errors`), and reading instants and as_of (`parsing`)."""
