"""copbot on the web: members' calendar subscriptions and the public "what's on" page.

A small aiohttp server on the bot's own event loop (or routes added to Slack's HTTP app),
reading the same database the commands write, so a feed changes the moment a session does.
"""
