"""The copbot command line and its config, run as an operator would (bot/cli.py, bot/config.py)."""
