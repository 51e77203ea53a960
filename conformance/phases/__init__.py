"""The run's phases beside the contract catalog (today: ``schemathesis``)."""
