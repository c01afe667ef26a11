"""Measuring the assistant against stock Rasa and a TF-IDF baseline on held-out and public questions."""
