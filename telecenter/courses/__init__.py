"""Courses: catalogue, lessons, quizzes, enrolment, progress, certificates, content packs."""
