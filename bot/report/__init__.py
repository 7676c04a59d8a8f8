"""The planning group's report: figures, the one rule that hides small groups, and outputs."""
