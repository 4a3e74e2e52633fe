"""The month-end close (Månadsavslut): the checklist finance reads before it closes a month."""
