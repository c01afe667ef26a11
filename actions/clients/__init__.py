"""HTTP clients the actions use (the action server never imports the gateway's code)."""
