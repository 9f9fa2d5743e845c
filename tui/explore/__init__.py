"""Automatic search over the DNS core's interleavings.

Exhaustive search (breadth-first with state hashing and AZ symmetry, exact
shortest counterexamples, in one process, over worker processes or on a Ray
cluster; or depth-first with partial-order reduction as well), random walks
and PCT, shrinking, readable counterexamples and the doom meter. Runs the same
components as the replay, through an untimed controller.
"""
