"""The inspectorate's tools: offline verification and the witness; standard library and cryptography only."""
