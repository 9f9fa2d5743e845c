"""outage-tui: replay the 20 October 2025 us-east-1 outage as a deterministic simulation."""

__version__ = "0.1.0"
