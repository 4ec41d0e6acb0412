"""Rows <-> runtime state: the instance lock, state snapshots, projections and history.

Everything here runs inside a service's transaction; nothing here opens one.
"""
