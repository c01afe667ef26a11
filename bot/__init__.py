"""PatientBot: vetted answers to common health questions, and a clinician when the bot should not answer."""

__version__ = "0.1.0"
