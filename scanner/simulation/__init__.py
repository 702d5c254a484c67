"""A simulated AWS Organization for the demo, the integration tests and the benchmark.

Nothing here reaches AWS: moto runs in server mode on 127.0.0.1 (`server`), behind a WSGI
layer that injects throttling, denials and broken answers (`faults`, `rules`), and the demo
organization is loaded straight into moto's backends (`catalog`, `seed`), including the root
user's posture that moto does not model (`root`, `credential_report`). The scanner itself
knows nothing of this package; it only gets an endpoint URL and credentials.

Submodules are imported on demand so that importing this package does not pull in moto,
which is an optional dependency.
"""
