"""The clinician console: a server-rendered web app served by the gateway under /console."""
