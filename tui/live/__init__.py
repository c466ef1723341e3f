"""Live traffic: the relay, a reverse proxy in front of WebEngage that checks and records each call."""
