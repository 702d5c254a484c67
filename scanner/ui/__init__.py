"""Terminal presentation: the only code that knows about rich."""
