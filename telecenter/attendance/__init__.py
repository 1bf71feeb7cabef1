"""Sessions (classes, teleconferences, workshops), registration, attendance, calendar."""
