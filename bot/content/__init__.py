"""Loading and checking the content files the planning group edits."""
