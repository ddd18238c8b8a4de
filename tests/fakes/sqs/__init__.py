"""A fake Amazon SQS speaking the JSON protocol botocore uses, on 127.0.0.1."""
