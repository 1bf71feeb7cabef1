"""Site side of sync: month reports (counts only), the outbox, the client, the job."""
