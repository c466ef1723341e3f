"""Live traffic: the relay (a reverse proxy in front of WebEngage that checks and records each call)
and the listener (a collector the Segment and RudderStack SDKs can point at)."""
