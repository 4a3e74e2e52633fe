"""The allocation of invoice lines to budget units (kostnadsfördelning).

``rules`` holds the policy as pure functions, in the order DESIGN.md lists them; ``engine``
runs them over a period's lines with set-based reads and batched inserts; ``check`` verifies
the ledger's invariants.
"""
