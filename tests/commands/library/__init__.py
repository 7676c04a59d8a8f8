"""The resource library's commands: search, suggest, review, picks (commands/library.py)."""
