"""Pure rules: dates, repeats, skipped dates, pairing (bot/domain/)."""
