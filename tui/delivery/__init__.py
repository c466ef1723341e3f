"""Sending: the one delivery service every sender uses, replay, journeys, diagnose, exports."""
