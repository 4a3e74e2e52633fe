"""Accounting settings: the chart of accounts an organisation's allocation books on, and how
its month is handed over to the financial system (booking method, clearing account, SIE)."""
