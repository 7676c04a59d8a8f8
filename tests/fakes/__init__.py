"""Local fakes of Slack and Discord on 127.0.0.1, and the tests that keep them honest."""
