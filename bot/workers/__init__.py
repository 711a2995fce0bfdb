"""Long-running tasks that carry out durable jobs from the store."""
