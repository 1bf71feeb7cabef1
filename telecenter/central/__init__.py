"""Central side: telecenter registry, sync ingest API, aggregates, dashboard, exports.

Central knows month reports, never people: it imports nothing from participants, courses or
attendance.
"""
