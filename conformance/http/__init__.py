"""How aoai-conformance talks to a target: one send loop, its budget, retry policy, TLS, auth and
the masking of secrets (nothing here knows about clauses or reports)."""
