"""Liveness and readiness probes for load balancers and systemd: /healthz and /readyz."""
