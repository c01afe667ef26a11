"""Questions whose handling by the shipped model several tests rely on, in one place."""

# The shipped model is unsure of it, and offers the FAQ that answers it among its "did you mean".
UNSURE_QUESTION = "i would like to book a visit"
OFFERED_TITLE = "Booking an appointment"
