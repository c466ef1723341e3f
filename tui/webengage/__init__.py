"""WebEngage's REST API: data centres, endpoints, limits, the request, the client, outcomes and hints."""
