"""The gateway: every patient message passes through here (store, safety check, route, deliver)."""
