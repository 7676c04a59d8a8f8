"""Calendar feeds and the public page over real HTTP on 127.0.0.1 (bot/web/)."""
