"""Front ends on the wire: Slack and Discord against the fakes in tests/fakes, and the console."""
