"""Amazon SQS (and compatible servers): the queue SP-API notifications arrive on."""
