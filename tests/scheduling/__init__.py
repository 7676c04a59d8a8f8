"""Deliveries: planner, composer, courier and runtime on a fake clock (bot/scheduling/)."""
