"""Compliance findings with a life: status, owner, history; claims sent to a supplier and settled by credit notes."""
