"""The commands, typed as a console member would type them (commands/, through bot/dispatch/)."""
