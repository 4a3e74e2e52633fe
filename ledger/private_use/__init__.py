"""Private use of service phones: charges that indicate it, checked against the private-use agreement."""
