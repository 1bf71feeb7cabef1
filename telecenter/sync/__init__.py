"""Site side of sync: monthly summaries (counts only), the outbox, the client, the job."""
