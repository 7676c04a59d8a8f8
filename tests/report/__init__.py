"""The planning group's report and what feeds it: sectors and attendance (bot/report/)."""
