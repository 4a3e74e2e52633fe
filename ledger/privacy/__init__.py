"""Personal data: how long holder names are kept, a person's extract, and pseudonymisation."""
