"""Participant registry, consent and data-subject rights, women's financial-inclusion programme.

This package holds the personal data of the system; nothing in it ever leaves the site.
"""
