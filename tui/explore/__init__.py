"""Automatic search over the DNS core's interleavings.

Exhaustive (state hashing plus sleep-set partial-order reduction), random
walks and PCT, shortest counterexamples, shrinking, and the doom meter. Runs
the same Trio components as the replay, through an untimed controller.
"""
