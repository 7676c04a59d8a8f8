"""The content files and the words: shipped content checked, broken content reported
(bot/content/)."""
