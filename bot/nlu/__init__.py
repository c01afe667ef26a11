"""Running the trained assistant in-process: the FAQ confidence gate, decisions, batch classification."""
